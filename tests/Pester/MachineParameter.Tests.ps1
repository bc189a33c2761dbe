# Issue 11, case 4: -Machine is the same on every cmdlet. It is optional (the session's current machine when
# omitted, a NoCurrentMachine error when there is none, never a prompt) and takes a machine from the pipeline the
# same way: by value (an OomMachine piped in) and by the property name Machine (an outcome, a report, a row). A
# deliberate exception is written down in $exceptions with its reason; one that no longer applies fails.
BeforeDiscovery {
    . $PSScriptRoot/cmdlets.ps1

    $exceptions = @{
        # -Machine parameters that do not bind a piped OomMachine by value.
        ByValue        = @{
            'Add-OomTask' = 'the pipeline brings rows: a machine piped in would be read as a row, its Name becoming the process name'
        }
        # -Machine parameters that do not bind by the property name Machine.
        ByPropertyName = @{
            'Invoke-OutOfMemory' = 'a piped report has a Machine property too, and must bind -Report: it replays on its own machine'
        }
        # -Machine parameters that are mandatory.
        Mandatory      = @{
            'Set-OomCurrentMachine' = 'it names the machine to make current: there is no default to fall back to'
        }
    }

    # The least each cmdlet needs besides -Machine, to show that a missing machine is the error it stops at. A new
    # cmdlet with a -Machine must be added here.
    $minimal = @{
        'Add-OomTask'            = @{ Name = 'x' }
        'Disable-OomKiller'      = @{}
        'Enable-OomKiller'       = @{}
        'Export-OomAuditReport'  = @{}
        'Export-OomMachine'      = @{}
        'Export-OomMetrics'      = @{}
        'Get-OomBadness'         = @{}
        'Get-OomKillOrder'       = @{}
        'Get-OomLog'             = @{}
        'Get-OomTask'            = @{}
        'Invoke-OomAllocation'   = @{ Pid = 1; Size = 1MB }
        'Invoke-OutOfMemory'     = @{}
        'Invoke-ProcessMrelease' = @{ Pid = 1 }
        'New-OomCgroup'          = @{ Path = '/a' }
        'New-OomCpuset'          = @{ Path = '/a'; Mems = '0' }
        'Register-OomNotifier'   = @{ Pages = 1 }
        'Remove-OomTask'         = @{ Pid = 1 }
        'Set-OomCgroup'          = @{ Cgroup = '/a'; MemoryMax = 1GB }
        'Set-OomScoreAdj'        = @{ Pid = 1; Value = '5' }
        'Set-OomTask'            = @{ Pid = 1; OomScoreAdj = 5 }
        'Step-OomTime'           = @{ Milliseconds = 4 }
        'Test-OomProtection'     = @{ Name = 'x' }
    }

    # Every cmdlet of the manifest is a case; those without -Machine are checked to have none of the above.
    $cases = @($OomCmdletNames | ForEach-Object { @{ Name = $_; Exceptions = $exceptions; Minimal = $minimal } })
    $defaulting = @($OomCmdletNames | Where-Object { -not $exceptions.Mandatory.ContainsKey($_) } |
            ForEach-Object { @{ Name = $_; Minimal = $minimal } })
}

BeforeAll {
    . $PSScriptRoot/common.ps1

    # Every [Parameter] of -Machine, one per parameter set it is in.
    function Get-MachineAttribute([string]$Name) {
        $p = (Get-Command $Name -CommandType Cmdlet).Parameters['Machine']
        if ($p) { @($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }) }
    }
}

Describe '-Machine on every cmdlet' {
    It '<Name>: -Machine is an OomMachine that binds by value and by the property name Machine, and is optional' -ForEach $cases {
        $attributes = @(Get-MachineAttribute $Name)
        $parameter = (Get-Command $Name -CommandType Cmdlet).Parameters['Machine']
        if (-not $parameter) {
            $Minimal.ContainsKey($Name) | Should -BeFalse -Because "$Name has no -Machine"
            return
        }
        $parameter.ParameterType | Should -Be ([OomTools.Engine.Model.OomMachine])
        foreach ($a in $attributes) {
            $set = $a.ParameterSetName
            $a.ValueFromPipeline | Should -Be (-not $Exceptions.ByValue.ContainsKey($Name)) -Because "-Machine in set $set binds a piped machine (or is a written exception)"
            $a.ValueFromPipelineByPropertyName | Should -Be (-not $Exceptions.ByPropertyName.ContainsKey($Name)) -Because "-Machine in set $set binds by the property name Machine (or is a written exception)"
            $a.Mandatory | Should -Be ($Exceptions.Mandatory.ContainsKey($Name)) -Because "-Machine in set $set defaults to the current machine (or is a written exception)"
        }
        if (-not $Exceptions.Mandatory.ContainsKey($Name)) {
            @($parameter.Attributes | Where-Object { $_.GetType().Name -eq 'BlankIsCurrentMachineAttribute' }).Count |
                Should -Be 1 -Because 'a blank Machine cell of a piped row means "not given"'
        }
    }

    It 'the written-down exceptions name cmdlets with a -Machine' -ForEach @(@{ Exceptions = $exceptions; Minimal = $minimal }) {
        $stale = foreach ($name in @($Exceptions.Values | ForEach-Object { $_.Keys }) + @($Minimal.Keys)) {
            $cmd = Get-Command $name -CommandType Cmdlet -ErrorAction Ignore
            if (-not $cmd -or -not $cmd.Parameters.ContainsKey('Machine')) { $name }
        }
        $stale -join ', ' | Should -BeNullOrEmpty
    }

    It '<Name>: its help says what -Machine defaults to and how it binds from the pipeline' -ForEach $cases {
        if (-not (Get-Command $Name -CommandType Cmdlet).Parameters.ContainsKey('Machine')) { return }
        $markdown = Get-Content -Raw -LiteralPath (Join-Path $RepoRoot "module/help/en-US/$Name.md")
        $section = [regex]::Match($markdown, '(?ms)^### -Machine\r?\n(.*?)(?=^##)').Groups[1].Value -replace '\s+', ' '
        $section | Should -Not -BeNullOrEmpty
        if (-not $Exceptions.Mandatory.ContainsKey($Name)) { $section | Should -Match 'current machine' }
        $section | Should -Match 'pip' -Because 'the help says how -Machine binds from the pipeline'
        if ($Exceptions.ByPropertyName.ContainsKey($Name)) { $section | Should -Match 'not bind by the property name' }
        else { $section | Should -Match 'Machine property|property name Machine' }
        $markdown | Should -Not -Match 'cannot be piped' -Because 'every -Machine binds from the pipeline'
    }

    Context 'with no machine given and none current' {
        BeforeAll { Remove-Variable -Name OomCurrentMachine -Scope Global -ErrorAction Ignore }

        It '<Name> stops with NoCurrentMachine (InvalidOperation) instead of prompting' -ForEach $defaulting {
            if (-not (Get-Command $Name -CommandType Cmdlet).Parameters.ContainsKey('Machine')) { return }
            $Minimal.ContainsKey($Name) | Should -BeTrue -Because "MachineParameter.Tests.ps1 lists what $Name needs besides -Machine"
            $arguments = $Minimal[$Name]
            if ((Get-Command $Name).Parameters.ContainsKey('Confirm')) { $arguments = $arguments + @{ Confirm = $false } }
            $err = $null
            try { & $Name @arguments -ErrorAction Stop | Out-Null } catch { $err = $_ }
            $err | Should -Not -BeNullOrEmpty
            $err.FullyQualifiedErrorId | Should -Be "NoCurrentMachine,$((Get-Command $Name).ImplementingType.FullName)"
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
        }
    }

    Context 'with a current machine' {
        BeforeAll {
            $m = New-OomMachine -Name current -Memory 4GB
            Add-OomTask -Machine $m -Pid 1 -Name systemd -Rss 10MB
        }
        AfterAll { Remove-Variable -Name OomCurrentMachine -Scope Global -ErrorAction Ignore }

        It 'a row''s blank Machine cell means the current machine; text in it is refused, naming the row' {
            $other = New-OomMachine -Name other -Memory 4GB
            Set-OomCurrentMachine $m
            $rows = "Name,Machine,Pid`nnginx,,50`nredis,web01,60" | ConvertFrom-Csv
            $added = @($rows | Add-OomTask -PassThru -ErrorVariable errs -ErrorAction SilentlyContinue)
            $added.Pid | Should -Be 50
            $m.Tasks.Pid | Should -Contain 50
            $other.TaskCount | Should -Be 0
            $errs.Count | Should -Be 1
            "$($errs[0])" | Should -BeLike "*name 'redis'*Machine 'web01' is not a valid -Machine*"
            [pscustomobject]@{ Pid = 50; Machine = "" } | Set-OomTask -OomScoreAdj 300
            ($m.Tasks | Where-Object Pid -EQ 50).OomScoreAdj.Value | Should -Be 300
        }

        It '-Machine $null is still refused (a variable that holds nothing is a mistake, not a default)' {
            { Get-OomTask -Machine $null } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
        }

        It 'an object with a Machine property brings its machine to <Cmd>' -ForEach @(
            @{ Cmd = 'Get-OomTask' }, @{ Cmd = 'Get-OomBadness' }, @{ Cmd = 'Export-OomMachine' }, @{ Cmd = 'Get-OomKillOrder' }
        ) {
            $other = New-OomMachine -Name other -Memory 4GB
            Add-OomTask -Machine $other -Pid 42 -Name answer -Rss 100MB
            Set-OomCurrentMachine $m
            $carrier = [pscustomobject]@{ Machine = $other }
            $out = @($carrier | & $Cmd)
            $out.Count | Should -BeGreaterThan 0
            ($carrier | & $Cmd | Select-Object -First 1 | Out-String) | Should -Not -Be ($m | & $Cmd | Select-Object -First 1 | Out-String)
        }
    }
}
