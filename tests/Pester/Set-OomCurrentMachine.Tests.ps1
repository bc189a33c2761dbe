BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:ReportLog = Join-Path $RepoRoot 'tests/fixtures/kernel-logs/public/25-parseoom-debian11-5.10-clamd-global-hugepages.log'
    function Test-Same($a, $b) { [object]::ReferenceEquals($a, $b) }
}

Describe 'Set-OomCurrentMachine' {
    AfterAll { Remove-Variable -Name OomCurrentMachine -Scope Global -ErrorAction Ignore }

    It 'makes the machine given current, by position or by name' {
        $a = New-OomMachine -Name a
        $b = New-OomMachine -Name b
        Set-OomCurrentMachine $a | Should -BeNullOrEmpty
        Test-Same (Get-OomCurrentMachine) $a | Should -BeTrue
        Set-OomCurrentMachine -Machine $b
        Test-Same (Get-OomCurrentMachine) $b | Should -BeTrue
    }

    It 'writes the machine with -PassThru' {
        $a = New-OomMachine -Name a
        $null = New-OomMachine -Name b
        Test-Same (Set-OomCurrentMachine $a -PassThru) $a | Should -BeTrue
    }

    It 'takes machines from the pipeline: the last one stays current' {
        $a = New-OomMachine -Name a
        $b = New-OomMachine -Name b
        $a, $b, $a | Set-OomCurrentMachine
        Test-Same (Get-OomCurrentMachine) $a | Should -BeTrue
    }

    It 'takes a report''s or an outcome''s machine by the property name Machine' {
        $report = Import-OomReport -LiteralPath $ReportLog
        $report | Set-OomCurrentMachine
        Test-Same (Get-OomCurrentMachine) $report.Machine | Should -BeTrue
        (Get-OomTask -Name clamd).Pid | Should -Be 517
        $other = New-OomMachine -Name other
        Add-OomTask -Pid 5 -Name x
        $outcome = Invoke-OutOfMemory -Machine $report.Machine -WhatIf
        $outcome | Set-OomCurrentMachine
        Test-Same (Get-OomCurrentMachine) $outcome.Machine | Should -BeTrue
        $other.TaskCount | Should -Be 1
    }

    It 'changes nothing with -WhatIf' {
        $a = New-OomMachine -Name a
        $b = New-OomMachine -Name b
        Set-OomCurrentMachine $a -WhatIf
        Test-Same (Get-OomCurrentMachine) $b | Should -BeTrue
    }

    It 'refuses $null' {
        { Set-OomCurrentMachine -Machine $null } | Should -Throw -ErrorId 'ParameterArgumentValidationError*'
    }
}
