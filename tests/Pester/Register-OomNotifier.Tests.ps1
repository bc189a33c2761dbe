BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Register-OomNotifier' {
    BeforeEach {
        $m = New-OomMachine -Name box -Memory 4GB
        New-OomCgroup -Machine $m -Path /app | Out-Null
        Add-OomTask -Machine $m -Pid 100 -Name hog -AnonRss 1GB
        Add-OomTask -Machine $m -Pid 200 -Name job -AnonRss 100MB -Cgroup /app
    }

    It 'returns a registration named after what it frees' {
        $r = Register-OomNotifier -Machine $m -Pages 64
        $r | Should -BeOfType ([OomTools.Commands.OomNotifierRegistration])
        $r.Name | Should -Be 'frees 64 pages'
        [object]::ReferenceEquals($r.Machine, $m) | Should -BeTrue
        $m.OomNotifiers.Count | Should -Be 1
    }

    It 'stops a global OOM when the notifier frees pages: nothing is killed and nothing logged' {
        Register-OomNotifier -Machine $m -Pages 64 | Out-Null
        $before = $m.Log.Count
        $o = Invoke-OutOfMemory -Machine $m
        $o.Result | Should -BeTrue
        $o.Killed | Should -BeNullOrEmpty
        $o.Reason | Should -Be 'An OOM notifier freed 64 pages.'
        $m.Log.Count | Should -Be $before
    }

    It 'adds up the pages of every notifier' {
        Register-OomNotifier -Machine $m -Pages 64 | Out-Null
        Register-OomNotifier -Machine $m -Pages 36 | Out-Null
        (Invoke-OutOfMemory -Machine $m).Reason | Should -Be 'An OOM notifier freed 100 pages.'
    }

    It 'lets the OOM go on when the notifiers free nothing' {
        Register-OomNotifier -Machine $m -Pages 0 | Out-Null
        (Invoke-OutOfMemory -Machine $m).Victim.Pid | Should -Be 100
    }

    It 'runs a script block on each global OOM; its output is the pages freed' {
        $script:calls = 0
        $r = Register-OomNotifier -Machine $m -ScriptBlock { $script:calls++; 32 } -Name balloon
        $r.Name | Should -Be 'balloon'
        (Invoke-OutOfMemory -Machine $m).Reason | Should -Be 'An OOM notifier freed 32 pages.'
        (Invoke-OutOfMemory -Machine $m).Reason | Should -Be 'An OOM notifier freed 32 pages.'
        $script:calls | Should -Be 2
    }

    It 'names a script-block notifier "script block" by default' {
        (Register-OomNotifier -Machine $m -ScriptBlock { 1 }).Name | Should -Be 'script block'
    }

    It 'does not stop SysRq-f, which calls the chain but kills anyway' {
        $script:calls = 0
        Register-OomNotifier -Machine $m -ScriptBlock { $script:calls++; 64 } | Out-Null
        (Invoke-OutOfMemory -Machine $m -Order -1).Victim.Pid | Should -Be 100
        $script:calls | Should -Be 1
    }

    It 'is not called for a memory cgroup OOM' {
        $script:calls = 0
        Register-OomNotifier -Machine $m -ScriptBlock { $script:calls++; 64 } | Out-Null
        (Invoke-OutOfMemory -Machine $m -Cgroup /app).Victim.Pid | Should -Be 200
        $script:calls | Should -Be 0
    }

    It 'rejects negative pages' {
        { Register-OomNotifier -Machine $m -Pages -1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.RegisterOomNotifierCommand'
    }

    It '-WhatIf registers nothing' {
        Register-OomNotifier -Machine $m -Pages 64 -WhatIf | Should -BeNullOrEmpty
        $m.OomNotifiers.Count | Should -Be 0
        (Invoke-OutOfMemory -Machine $m).Victim.Pid | Should -Be 100
    }
}
