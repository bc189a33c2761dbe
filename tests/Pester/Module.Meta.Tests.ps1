BeforeDiscovery {
    # The cmdlets of the module (kept here too: discovery runs before BeforeAll has imported anything).
    $cmdletCases = @(
        'New-OomMachine', 'Add-OomTask', 'Get-OomTask', 'Set-OomTask', 'Remove-OomTask', 'New-OomCgroup',
        'New-OomCpuset', 'Get-OomBadness', 'Invoke-OutOfMemory', 'Invoke-ProcessMrelease', 'Get-OomLog',
        'Import-OomReport', 'Get-OomSnapshot', 'Set-OomScoreAdj', 'Get-OomKillOrder', 'Test-OomProtection',
        'Get-OomKubeletScoreAdj', 'Export-OomMachine', 'Import-OomMachine', 'Export-OomAuditReport',
        'Step-OomTime', 'Invoke-OomAllocation', 'Disable-OomKiller', 'Enable-OomKiller', 'Register-OomNotifier',
        'Unregister-OomNotifier', 'Export-OomTimelineChart'
    ) | ForEach-Object { @{ Name = $_; Verb = ($_ -split '-')[0] } }
    $changingCases = @($cmdletCases | Where-Object { $_.Verb -in 'Add', 'Set', 'Remove', 'New', 'Invoke', 'Step', 'Disable', 'Enable', 'Register', 'Unregister' })
}

BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'The OomTools module' {

    Context 'manifest' {
        It 'passes Test-ModuleManifest' {
            { Test-ModuleManifest -Path $ModuleManifestPath -ErrorAction Stop } | Should -Not -Throw
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

    Context 'every exported cmdlet' {
        It '<Name> declares its output with [OutputType]' -ForEach $cmdletCases {
            $cmd = Get-Command $Name -CommandType Cmdlet
            $attributes = @($cmd.ImplementingType.GetCustomAttributes([System.Management.Automation.OutputTypeAttribute], $true))
            $attributes.Count | Should -BeGreaterThan 0
            @($cmd.OutputType).Count | Should -BeGreaterThan 0
        }

        It '<Name> has help with a synopsis and at least one example' -ForEach $cmdletCases {
            # Fails until the module ships its help (module/en-US): without a help file, PowerShell makes up a
            # "synopsis" from the syntax, which starts with the cmdlet name, and there are no examples.
            $help = Get-Help $Name -Full
            $synopsis = "$($help.Synopsis)".Trim()
            $synopsis | Should -Not -BeNullOrEmpty
            $synopsis | Should -Not -Match ('^' + [regex]::Escape($Name) + '(\s|$)') -Because 'the synopsis must be written, not generated from the syntax'
            @($help.Examples.Example).Count | Should -BeGreaterOrEqual 1
        }
    }

    Context 'cmdlets that change something' {
        It '<Name> supports ShouldProcess (-WhatIf, -Confirm)' -ForEach $changingCases {
            if ($Name -eq 'New-OomMachine') {
                # New-OomMachine only creates a detached object in memory: nothing outside the pipeline changes,
                # so by design it has no ShouldProcess. Skipped on purpose (a design question, not a failure).
                Set-ItResult -Skipped -Because 'New-OomMachine only creates a detached object and has no ShouldProcess by design'
                return
            }
            $cmd = Get-Command $Name -CommandType Cmdlet
            $cmdletAttribute = $cmd.ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $true) |
                Select-Object -First 1
            $cmdletAttribute.SupportsShouldProcess | Should -BeTrue
            $cmd.Parameters.ContainsKey('WhatIf') | Should -BeTrue
            $cmd.Parameters.ContainsKey('Confirm') | Should -BeTrue
        }
    }
}
