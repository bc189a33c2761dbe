# The module's conventions, checked for every cmdlet of the one list (cmdlets.ps1: the manifest's
# CmdletsToExport). A new cmdlet that misses one fails here; a deliberate exception is written down in
# $exceptions below, with its reason, and an exception that no longer names a real parameter fails too.
BeforeDiscovery {
    . $PSScriptRoot/cmdlets.ps1

    # Verbs that only read. Every other verb changes something (a machine, a file, a real process) and must
    # support ShouldProcess (-WhatIf, -Confirm), unless it is listed under ShouldProcess below.
    $readOnlyVerbs = 'Get', 'Test', 'Watch', 'Find', 'Search', 'Measure', 'Compare', 'Resolve', 'ConvertFrom', 'ConvertTo', 'Format'

    $exceptions = @{
        # Cmdlets of a changing verb that change nothing outside their own output.
        ShouldProcess = @{
            'New-OomMachine'    = 'it only creates a detached machine in memory: nothing outside its output changes'
            'Import-OomMachine' = 'it reads JSON into new, detached machines: nothing outside its output changes'
            'Import-OomReport'  = 'it reads kernel logs into new reports: nothing outside its output changes'
        }
        # Object-typed parameters that take $null on purpose.
        NotNull       = @{
            'Export-OomTimelineChart -InputObject' = 'an empty or $null pipeline writes an empty chart ([AllowNull])'
        }
        # -Path parameters that are not file-system paths.
        LiteralPath   = @{
            'New-OomCgroup -Path' = 'a cgroup path inside the simulated machine, not a file: there are no wildcards to escape'
            'New-OomCpuset -Path' = 'a cpuset path inside the simulated machine, not a file: there are no wildcards to escape'
        }
        # Pid, Name and Cgroup parameters that name something that does not exist yet: nothing to complete from.
        Completer     = @{
            'Add-OomTask -Pid'           = 'the pid of the process being created'
            'Add-OomTask -Name'          = 'the name of the process being created'
            'New-OomMachine -Name'       = 'the name of the machine being created'
            'Get-OomSnapshot -Name'      = 'the name of the machine being created'
            'Register-OomNotifier -Name' = 'the name of the notifier being registered'
        }
    }

    $cmdletCases = @($OomCmdletNames | ForEach-Object { @{ Name = $_; Verb = ($_ -split '-')[0]; Exceptions = $exceptions } })
    $changingCases = @($cmdletCases | Where-Object { $_.Verb -notin $readOnlyVerbs -and -not $exceptions.ShouldProcess.ContainsKey($_.Name) })
    $detachedCases = @($exceptions.ShouldProcess.GetEnumerator() | ForEach-Object { @{ Name = $_.Key; Reason = $_.Value } })
}

BeforeAll {
    . $PSScriptRoot/common.ps1

    $script:CommonParameterNames = [System.Management.Automation.Cmdlet]::CommonParameters +
        [System.Management.Automation.Cmdlet]::OptionalCommonParameters

    # The parameters a cmdlet declares itself (the common parameters left out).
    function Get-OwnParameter([string]$Name) {
        (Get-Command $Name -CommandType Cmdlet).Parameters.Values | Where-Object Name -NotIn $script:CommonParameterNames
    }

    function Get-CmdletAttribute([string]$Name) {
        (Get-Command $Name -CommandType Cmdlet).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $true) |
            Select-Object -First 1
    }

    function Test-HasAttribute($Parameter, [type[]]$Type) {
        [bool]@($Parameter.Attributes | Where-Object { $a = $_; $Type | Where-Object { $a -is $_ } }).Count
    }
}

Describe 'The OomTools module' {

    Context 'manifest' {
        It 'passes Test-ModuleManifest' {
            { Test-ModuleManifest -Path $ModuleManifestPath -ErrorAction Stop } | Should -Not -Throw
        }

        It 'lists each cmdlet once' {
            @($OomCmdletNames | Group-Object | Where-Object Count -GT 1 | ForEach-Object Name) -join ', ' | Should -BeNullOrEmpty
            $OomCmdletNames.Count | Should -BeGreaterThan 0
        }

        It 'lists exactly the [Cmdlet] classes of OomTools.dll' {
            $assembly = [OomTools.OomCmdlet].Assembly
            $classes = @($assembly.GetExportedTypes() |
                    Where-Object { -not $_.IsAbstract -and $_.IsSubclassOf([System.Management.Automation.Cmdlet]) } |
                    ForEach-Object {
                        $attribute = $_.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false) | Select-Object -First 1
                        if ($attribute) { "$($attribute.VerbName)-$($attribute.NounName)" } else { "$($_.FullName) (no [Cmdlet])" }
                    })
            @($classes | Sort-Object) | Should -Be @($OomCmdletNames | Sort-Object) -Because 'module/OomTools.psd1 CmdletsToExport is the one list of cmdlets'
        }

        It 'declares exactly the designed cmdlets and no functions, aliases or variables' {
            $manifest = Test-ModuleManifest -Path $ModuleManifestPath
            @($manifest.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($OomCmdletNames | Sort-Object)
            $manifest.ExportedFunctions.Count | Should -Be 0
            $manifest.ExportedAliases.Count | Should -Be 0
            $manifest.ExportedVariables.Count | Should -Be 0
        }

        It 'exports exactly the designed cmdlets once imported' {
            $module = Get-Module OomTools
            $module | Should -Not -BeNullOrEmpty
            @($module.ExportedCmdlets.Keys | Sort-Object) | Should -Be @($OomCmdletNames | Sort-Object)
            @(Get-Command -Module OomTools -CommandType Cmdlet | ForEach-Object Name | Sort-Object) |
                Should -Be @($OomCmdletNames | Sort-Object)
        }

        It 'loads its type and format data' {
            Get-TypeData -TypeName 'OomTools.Engine.Model.OomTask' | Should -Not -BeNullOrEmpty
            (New-OomMachine).PSObject.Properties['TaskCount'] | Should -Not -BeNullOrEmpty
        }
    }

    Context 'documents derived from the list' {
        It 'has one help page per cmdlet (module/help/en-US/Verb-Noun.md) and no other' {
            $pages = @(Get-ChildItem -LiteralPath (Join-Path $RepoRoot 'module/help/en-US') -Filter '*-*.md' | ForEach-Object BaseName)
            @($pages | Sort-Object) | Should -Be @($OomCmdletNames | Sort-Object)
        }

        It 'has one row per cmdlet in the README''s cmdlet table and no other' {
            $section = ((Get-Content -LiteralPath (Join-Path $RepoRoot 'README.md') -Raw) -split '(?m)^## ') |
                Where-Object { $_ -match '^Cmdlets\s*\r?\n' }
            $section | Should -Not -BeNullOrEmpty -Because 'README.md has a "## Cmdlets" section'
            $rows = @([regex]::Matches($section, '(?m)^\|\s*`([A-Za-z]+-[A-Za-z]+)`\s*\|') | ForEach-Object { $_.Groups[1].Value })
            @($rows | Group-Object | Where-Object Count -GT 1 | ForEach-Object Name) -join ', ' | Should -BeNullOrEmpty
            @($rows | Sort-Object) | Should -Be @($OomCmdletNames | Sort-Object)
        }
    }

    Context 'every exported cmdlet' {
        It '<Name> uses an approved verb' -ForEach $cmdletCases {
            Get-Verb -Verb $Verb | Should -Not -BeNullOrEmpty
        }

        It '<Name> has its own test file (tests/Pester/<Name>.Tests.ps1)' -ForEach $cmdletCases {
            Join-Path $PSScriptRoot "$Name.Tests.ps1" | Should -Exist
        }

        It '<Name> declares its output with [OutputType]' -ForEach $cmdletCases {
            $cmd = Get-Command $Name -CommandType Cmdlet
            $attributes = @($cmd.ImplementingType.GetCustomAttributes([System.Management.Automation.OutputTypeAttribute], $true))
            $attributes.Count | Should -BeGreaterThan 0
            @($cmd.OutputType).Count | Should -BeGreaterThan 0
        }

        It '<Name> has help with a synopsis and at least one example' -ForEach $cmdletCases {
            # Without a help file, PowerShell makes up a "synopsis" from the syntax, which starts with the cmdlet
            # name, and there are no examples.
            $help = Get-Help $Name -Full
            $synopsis = "$($help.Synopsis)".Trim()
            $synopsis | Should -Not -BeNullOrEmpty
            $synopsis | Should -Not -Match ('^' + [regex]::Escape($Name) + '(\s|$)') -Because 'the synopsis must be written, not generated from the syntax'
            @($help.Examples.Example).Count | Should -BeGreaterOrEqual 1
        }

        It '<Name> validates its object-typed parameters with [ValidateNotNull] or [ValidateNotNullOrEmpty]' -ForEach $cmdletCases {
            # Object-typed: a class (or an array of one) other than string. Strings and value types bind on their own.
            $missing = foreach ($p in Get-OwnParameter $Name) {
                $type = if ($p.ParameterType.IsArray) { $p.ParameterType.GetElementType() } else { $p.ParameterType }
                if ($type.IsValueType -or $type -eq [string] -or $Exceptions.NotNull.ContainsKey("$Name -$($p.Name)")) { continue }
                $validated = Test-HasAttribute $p ([System.Management.Automation.ValidateNotNullAttribute], [System.Management.Automation.ValidateNotNullOrEmptyAttribute])
                if (-not $validated) { "-$($p.Name) [$($p.ParameterType.Name)]" }
            }
            $missing -join ', ' | Should -BeNullOrEmpty
        }

        It '<Name> has -LiteralPath (alias PSPath) beside every -Path' -ForEach $cmdletCases {
            $parameters = (Get-Command $Name -CommandType Cmdlet).Parameters
            if (-not $parameters.ContainsKey('Path') -or $Exceptions.LiteralPath.ContainsKey("$Name -Path")) { return }
            $parameters.ContainsKey('LiteralPath') | Should -BeTrue
            $parameters['LiteralPath'].Aliases | Should -Contain 'PSPath' -Because 'Get-ChildItem output binds to it by property name'
        }

        It '<Name> completes its -Pid, -Name and -Cgroup arguments' -ForEach $cmdletCases {
            $missing = foreach ($p in Get-OwnParameter $Name | Where-Object Name -In 'Pid', 'Name', 'Cgroup') {
                if ($Exceptions.Completer.ContainsKey("$Name -$($p.Name)")) { continue }
                if (-not (Test-HasAttribute $p ([System.Management.Automation.ArgumentCompleterAttribute]))) { "-$($p.Name)" }
            }
            $missing -join ', ' | Should -BeNullOrEmpty -Because 'an [ArgumentCompleter] (src/OomTools/Completers) completes from the machine given as -Machine'
        }
    }

    Context 'cmdlets that change something' {
        It '<Name> supports ShouldProcess (-WhatIf, -Confirm)' -ForEach $changingCases {
            (Get-CmdletAttribute $Name).SupportsShouldProcess | Should -BeTrue
            $parameters = (Get-Command $Name -CommandType Cmdlet).Parameters
            $parameters.ContainsKey('WhatIf') | Should -BeTrue
            $parameters.ContainsKey('Confirm') | Should -BeTrue
        }

        # The exceptions are checked too: one that gains ShouldProcess must leave the list.
        It '<Name> has no ShouldProcess: <Reason>' -ForEach $detachedCases {
            (Get-CmdletAttribute $Name).SupportsShouldProcess | Should -BeFalse
            (Get-Command $Name -CommandType Cmdlet).Parameters.ContainsKey('WhatIf') | Should -BeFalse
        }
    }

    Context 'the written-down exceptions' {
        It 'name only cmdlets and parameters that exist' -ForEach @(@{ Exceptions = $exceptions }) {
            $stale = foreach ($key in $Exceptions.Values | ForEach-Object { $_.Keys }) {
                $cmdlet, $parameter = $key -split ' -'
                $cmd = Get-Command $cmdlet -CommandType Cmdlet -ErrorAction Ignore
                if (-not $cmd -or ($parameter -and -not $cmd.Parameters.ContainsKey($parameter))) { $key }
            }
            $stale -join ', ' | Should -BeNullOrEmpty
        }
    }
}
