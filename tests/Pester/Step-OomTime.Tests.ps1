BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Step-OomTime' {
    BeforeEach {
        # 4GB of RAM = 1048576 pages; 1GB = 262144 pages, 10MB = 2560. A new machine starts at jiffy 0, HZ=250
        # (one jiffy = 4 ms); a killed process exits 5 jiffies (20 ms) later by default.
        $m = New-OomMachine -Name box -Memory 4GB
        Add-OomTask -Machine $m -Pid 100 -Name hog -AnonRss 1GB
        Add-OomTask -Machine $m -Pid 101 -Name small -AnonRss 10MB
    }

    Context 'a killed process exits' {
        BeforeEach {
            (Invoke-OutOfMemory -Machine $m).Victim.Pid | Should -Be 100
        }

        It 'returns TimelineEvent objects: the exit 20 ms after the kill, with the pages exit_mmap freed' {
            $e = @(Step-OomTime -Machine $m -Milliseconds 20)
            $e.Count | Should -Be 1
            $e[0] | Should -BeOfType ([OomTools.Engine.Timeline.TimelineEvent])
            $e[0].Kind | Should -Be 'Exit'
            $e[0].Jiffies | Should -Be 5
            $e[0].Seconds | Should -Be 0.02
            $e[0].Pid | Should -Be 100
            $e[0].Name | Should -Be 'hog'
            $e[0].Pages | Should -Be 262144
            $e[0].Text | Should -Be 'exited; exit_mmap freed 262144 pages'
            $e[0].MemoryInUsePages | Should -Be 2560
            $m.FindTask(100) | Should -BeNullOrEmpty
            $m.OomVictims | Should -Be 0
        }

        It 'rounds -Milliseconds down to whole jiffies: 19 ms is 4 jiffies, too early for the exit' {
            Step-OomTime -Machine $m -Milliseconds 19 | Should -BeNullOrEmpty
            $m.Jiffies | Should -Be 4
            $m.FindTask(100) | Should -Not -BeNullOrEmpty
        }

        It 'steps by -Jiffies' {
            Step-OomTime -Machine $m -Jiffies 4 | Should -BeNullOrEmpty
            (Step-OomTime -Machine $m -Jiffies 1).Kind | Should -Be 'Exit'
            $m.Jiffies | Should -Be 5
        }

        It '-UntilNextEvent runs only what is due at the next jiffy that has anything' {
            $e = @(Step-OomTime -Machine $m -UntilNextEvent)
            $e.Kind | Should -Be @('Exit')
            $m.Jiffies | Should -Be 5
            # Next: the reaper timer of the exited hog, 2 s (500 jiffies) after the kill.
            $e = @(Step-OomTime -Machine $m -UntilNextEvent)
            $e.Kind | Should -Be @('ReaperSkipped')
            $e[0].Jiffies | Should -Be 500
            $e[0].Text | Should -Be 'already exited: nothing to reap'
        }

        It '-UntilIdle runs everything and stops at the last event' {
            $e = @(Step-OomTime -Machine $m -UntilIdle)
            @($e.Kind) | Should -Be @('Exit', 'ReaperSkipped')
            $m.Jiffies | Should -Be 500
            $m.PendingEvents | Should -Be 0
        }

        It 'takes the machine from the pipeline' {
            @($m | Step-OomTime -Milliseconds 100).Kind | Should -Be @('Exit')
        }

        It '-WhatIf moves no time and changes nothing' {
            $before = Get-OomMachineState $m
            Step-OomTime -Machine $m -Milliseconds 5000 -WhatIf | Should -BeNullOrEmpty
            $m.Jiffies | Should -Be 0
            Get-OomMachineState $m | Should -Be $before
        }
    }

    Context 'a victim stuck holding mmap_lock (5 s)' {
        BeforeEach {
            Set-OomTask -Machine $m -Pid 100 -HoldMmapLock 5000
            Invoke-OutOfMemory -Machine $m | Out-Null
        }

        It 'shows the blocked exit, the reaper timer at 2 s, ten attempts 100 ms apart, the give-up at 3 s, the exit at 5 s' {
            $e = @(Step-OomTime -Machine $m -UntilIdle)
            @($e.Kind) | Should -Be (@('ExitBlocked', 'ReaperWoken') + @('ReapRetry') * 10 + @('UnableToReap', 'Exit'))
            $e[0].Text | Should -Be 'in uninterruptible sleep holding mmap_lock'
            @($e | Where-Object Kind -EQ 'ReapRetry' | ForEach-Object Seconds) |
                Should -Be @(2.0, 2.1, 2.2, 2.3, 2.4, 2.5, 2.6, 2.7, 2.8, 2.9)
            ($e | Where-Object Kind -EQ 'UnableToReap').Seconds | Should -Be 3.0
            ($e | Where-Object Kind -EQ 'Exit').Seconds | Should -Be 5.0
            ($e | Where-Object Kind -EQ 'Exit').Pages | Should -Be 262144
            (Get-OomLog -Machine $m -Tail 1).Text | Should -Be 'oom_reaper: unable to reap pid:100 (hog)'
        }

        It 'makes the next OOM abort until the reaper gives up, then pick another process' {
            Step-OomTime -Machine $m -Milliseconds 2900 | Out-Null
            (Invoke-OutOfMemory -Machine $m).Aborted | Should -BeTrue
            @(Step-OomTime -Machine $m -Milliseconds 100).Kind | Should -Be @('UnableToReap')
            $o = Invoke-OutOfMemory -Machine $m
            $o.Aborted | Should -BeFalse
            $o.Victim.Pid | Should -Be 101
        }
    }

    Context 'nothing due' {
        It '-UntilNextEvent and -UntilIdle return nothing and leave the clock' {
            Step-OomTime -Machine $m -UntilNextEvent | Should -BeNullOrEmpty
            Step-OomTime -Machine $m -UntilIdle | Should -BeNullOrEmpty
            $m.Jiffies | Should -Be 0
        }

        It 'still moves the clock by -Milliseconds' {
            Step-OomTime -Machine $m -Milliseconds 1000 | Should -BeNullOrEmpty
            $m.Jiffies | Should -Be 250
            $m.Clock.Nanoseconds | Should -Be 1000000000
        }

        It 'follows the machine''s HZ' {
            $m100 = New-OomMachine -Name hz100 -Hz 100
            Step-OomTime -Machine $m100 -Milliseconds 1000 | Out-Null
            $m100.Jiffies | Should -Be 100
        }
    }

    Context 'parameters' {
        It 'rejects a negative step' {
            { Step-OomTime -Machine $m -Milliseconds -1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.StepOomTimeCommand'
            { Step-OomTime -Machine $m -Jiffies -1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.StepOomTimeCommand'
        }

        It 'takes -Milliseconds by position' {
            Step-OomTime -Machine $m 40 | Out-Null
            $m.Jiffies | Should -Be 10
        }
    }
}
