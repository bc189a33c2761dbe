BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Disable-OomKiller' {
    BeforeEach {
        # 4GB = 1048576 pages; 1GB = 262144. HZ=250: 1000 ms = 250 jiffies; a killed process exits 20 ms later.
        $m = New-OomMachine -Name box -Memory 4GB
        Add-OomTask -Machine $m -Pid 100 -Name hog -AnonRss 1GB
        Add-OomTask -Machine $m -Pid 101 -Name small -AnonRss 10MB
    }

    It 'disables at once when no OOM victim is in flight, and says so in the log' {
        Disable-OomKiller -Machine $m | Should -BeTrue
        $m.OomKillerDisabled | Should -BeTrue
        (Get-OomLog -Machine $m -Tail 1).Text | Should -Be 'OOM killer disabled.'
        $m.Jiffies | Should -Be 0
    }

    It 'makes out_of_memory return false without killing' {
        Disable-OomKiller -Machine $m | Out-Null
        $o = Invoke-OutOfMemory -Machine $m
        $o.Result | Should -BeFalse
        $o.Killed | Should -BeNullOrEmpty
        $o.Reason | Should -Be 'The OOM killer is disabled (oom_killer_disable).'
    }

    It 'waits in simulated time for a victim to exit, and returns as soon as it has' {
        Invoke-OutOfMemory -Machine $m | Out-Null
        $m.OomVictims | Should -Be 1
        Disable-OomKiller -Machine $m -Timeout 1000 | Should -BeTrue
        $m.Jiffies | Should -Be 5
        $m.OomVictims | Should -Be 0
        $m.FindTask(100) | Should -BeNullOrEmpty
        $m.OomKillerDisabled | Should -BeTrue
    }

    It 'gives up after -Timeout on a victim that cannot exit, warns, and enables the killer again' {
        Set-OomTask -Machine $m -Pid 100 -HoldMmapLock 5000
        Invoke-OutOfMemory -Machine $m | Out-Null
        $r = Disable-OomKiller -Machine $m -Timeout 1000 -WarningVariable wv -WarningAction SilentlyContinue
        $r | Should -BeFalse
        $wv.Count | Should -Be 1
        "$($wv[0])" | Should -Be '1 OOM victim(s) still in flight after 1000 ms: the OOM killer stays enabled.'
        $m.Jiffies | Should -Be 250
        $m.OomKillerDisabled | Should -BeFalse
        (Get-OomLog -Machine $m -Tail 1).Text | Should -Be 'OOM killer enabled.'
    }

    It 'waits through the reaper''s give-up (3 s) until the stuck victim really exits (5 s)' {
        # oom_victims drops in exit_oom_victim only: MMF_OOM_SKIP from the reaper does not count.
        Set-OomTask -Machine $m -Pid 100 -HoldMmapLock 5000
        Invoke-OutOfMemory -Machine $m | Out-Null
        Disable-OomKiller -Machine $m -Timeout 20000 | Should -BeTrue
        $m.Jiffies | Should -Be 1250
        (Get-OomLog -Machine $m -Tail 2).Text | Should -Be @('oom_reaper: unable to reap pid:100 (hog)', 'OOM killer disabled.')
    }

    It 'with -Timeout 0 fails at once while a victim is in flight' {
        Invoke-OutOfMemory -Machine $m | Out-Null
        Disable-OomKiller -Machine $m -Timeout 0 -WarningAction SilentlyContinue | Should -BeFalse
        $m.Jiffies | Should -Be 0
        $m.FindTask(100) | Should -Not -BeNullOrEmpty
    }

    It 'takes the machine from the pipeline' {
        $m | Disable-OomKiller | Should -BeTrue
    }

    It '-WhatIf changes nothing and returns nothing' {
        Invoke-OutOfMemory -Machine $m | Out-Null
        $before = Get-OomMachineState $m
        Disable-OomKiller -Machine $m -WhatIf | Should -BeNullOrEmpty
        $m.OomKillerDisabled | Should -BeFalse
        $m.Jiffies | Should -Be 0
        Get-OomMachineState $m | Should -Be $before
    }

    It 'rejects a negative timeout' {
        { Disable-OomKiller -Machine $m -Timeout -1 -ErrorAction Stop } |
            Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.DisableOomKillerCommand'
    }
}
