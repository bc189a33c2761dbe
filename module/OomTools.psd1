@{
    RootModule           = 'OomTools.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '6f1f5d0e-8f2b-4c1e-9a57-3d2b8e4f0c11'
    Author               = 'OomTools'
    CompanyName          = 'OomTools'
    Copyright            = '(c) OomTools. All rights reserved.'
    Description          = 'Reproduces the Linux OOM killer (mm/oom_kill.c, 6.x) decision for decision: build machines and tasks, score them as oom_badness does, and see whom the kernel would kill and why.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    # Windows PowerShell 5.1 (Desktop) runs on .NET Framework: netstandard2.0 assemblies load without shipped
    # facades from 4.7.1 on, and 4.7.2 is the minimum Microsoft recommends for netstandard2.0. Core ignores both.
    DotNetFrameworkVersion = '4.7.2'
    CLRVersion           = '4.0'
    FormatsToProcess     = @('OomTools.Format.ps1xml')
    TypesToProcess       = @('OomTools.Types.ps1xml')
    CmdletsToExport      = @(
        'New-OomMachine'
        'Get-OomCurrentMachine'
        'Set-OomCurrentMachine'
        'Add-OomTask'
        'Get-OomTask'
        'Set-OomTask'
        'Remove-OomTask'
        'New-OomCgroup'
        'Set-OomCgroup'
        'New-OomCpuset'
        'Get-OomBadness'
        'Invoke-OutOfMemory'
        'Watch-OomEvent'
        'Invoke-ProcessMrelease'
        'Get-OomLog'
        'Import-OomReport'
        'Get-OomSnapshot'
        'Set-OomScoreAdj'
        'Get-OomKillOrder'
        'Test-OomProtection'
        'Get-OomKubeletScoreAdj'
        'Step-OomTime'
        'Invoke-OomAllocation'
        'Disable-OomKiller'
        'Enable-OomKiller'
        'Register-OomNotifier'
        'Unregister-OomNotifier'
        'Export-OomMachine'
        'Import-OomMachine'
        'Export-OomAuditReport'
        'Export-OomTimelineChart'
        'Export-OomMetrics'
    )
    FunctionsToExport    = @()
    AliasesToExport      = @()
    VariablesToExport    = @()
    PrivateData          = @{
        PSData = @{
            Tags       = @('Linux', 'OOM', 'oom_killer', 'memory', 'cgroup', 'kernel', 'oom_score')
        }
    }
}
