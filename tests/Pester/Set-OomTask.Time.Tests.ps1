BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Set-OomTask' {
    Context 'time parameters: -ExitLatency, -HoldMmapLock, -CoreDumpFor, -MmuNotifierBlocks' {
        BeforeEach {
            # 4GB = 1048576 pages, 1GB = 262144. HZ=250: 1 jiffy = 4 ms, 1000 ms = 250 jiffies. The clock starts at 0.
            $m = New-OomMachine -Name box -Memory 4GB
            Add-OomTask -Machine $m -Pid 100 -Name hog -AnonRss 1GB
            Add-OomTask -Machine $m -Pid 101 -Name small -AnonRss 10MB
        }

        It '-ExitLatency sets how long the process takes to exit once killed, in ms' {
            Set-OomTask -Machine $m -Pid 100 -ExitLatency 200
            $m.FindTask(100).ExitLatencyJiffies | Should -Be 50
            Invoke-OutOfMemory -Machine $m | Out-Null
            Step-OomTime -Machine $m -Milliseconds 196 | Should -BeNullOrEmpty
            $e = @(Step-OomTime -Machine $m -Milliseconds 4)
            $e.Kind | Should -Be @('Exit')
            $e[0].Seconds | Should -Be 0.2
        }

        It '-ExitLatency 0 exits at the jiffy of the kill' {
            Set-OomTask -Machine $m -Pid 100 -ExitLatency 0
            Invoke-OutOfMemory -Machine $m | Out-Null
            (Step-OomTime -Machine $m -UntilNextEvent).Jiffies | Should -Be 0
        }

        It '-ExitLatency follows the machine''s HZ' {
            $m100 = New-OomMachine -Name hz100 -Hz 100
            Add-OomTask -Machine $m100 -Pid 100 -Name hog -AnonRss 1GB
            Set-OomTask -Machine $m100 -Pid 100 -ExitLatency 200
            $m100.FindTask(100).ExitLatencyJiffies | Should -Be 20
        }

        It '-HoldMmapLock holds mmap_lock for write from now for that many ms' {
            Step-OomTime -Machine $m -Milliseconds 1000 | Out-Null
            Set-OomTask -Machine $m -Pid 100 -HoldMmapLock 500
            $mm = $m.FindTask(100).Mm
            $mm.MmapLockReleaseAt | Should -Be 375
            $mm.IsMmapLockHeld(374) | Should -BeTrue
            $mm.IsMmapLockHeld(375) | Should -BeFalse
        }

        It '-HoldMmapLock blocks the exit and the reaper; the process exits when the lock is released' {
            Set-OomTask -Machine $m -Pid 100 -HoldMmapLock 5000
            Invoke-OutOfMemory -Machine $m | Out-Null
            $e = @(Step-OomTime -Machine $m -UntilIdle)
            ($e | Where-Object Kind -EQ 'UnableToReap').Seconds | Should -Be 3.0
            ($e | Where-Object Kind -EQ 'Exit').Seconds | Should -Be 5.0
        }

        It '-HoldMmapLock makes process_mrelease fail with EINTR while it is held' {
            Set-OomTask -Machine $m -Pid 100 -HoldMmapLock 1000
            Invoke-OutOfMemory -Machine $m | Out-Null
            (Invoke-ProcessMrelease -Machine $m -Pid 100).Errno | Should -Be 'EINTR'
            Step-OomTime -Machine $m -Milliseconds 996 | Out-Null        # the exit is rescheduled for the release, 1000 ms
            (Invoke-ProcessMrelease -Machine $m -Pid 100).Errno | Should -Be 'EINTR'
        }

        It '-HoldMmapLock 0 releases the lock' {
            Set-OomTask -Machine $m -Pid 100 -HoldMmapLock 5000
            Set-OomTask -Machine $m -Pid 100 -HoldMmapLock 0
            $m.FindTask(100).Mm.MmapLockReleaseAt | Should -BeNullOrEmpty
            Invoke-OutOfMemory -Machine $m | Out-Null
            (Step-OomTime -Machine $m -Milliseconds 20).Kind | Should -Be 'Exit'
        }

        It '-CoreDumpFor dumps core for that many ms: the exit waits, and task_will_free_mem is false meanwhile' {
            Set-OomTask -Machine $m -Pid 100 -CoreDumpFor 1000
            $t = $m.FindTask(100)
            $t.CoreDumping | Should -BeTrue
            $t.CoreDumpUntil | Should -Be 250
            Invoke-OutOfMemory -Machine $m | Out-Null
            (Step-OomTime -Machine $m -Milliseconds 20).Text | Should -Be 'dumping core'
            $m.Killer.TaskWillFreeMem($t) | Should -BeFalse
            $e = @(Step-OomTime -Machine $m -Milliseconds 980)
            @($e.Kind) | Should -Be @('CoreDumped', 'Exit')
            $e[1].Seconds | Should -Be 1.0
        }

        It '-CoreDumpFor 0 ends the dump' {
            Set-OomTask -Machine $m -Pid 100 -CoreDumpFor 1000
            Set-OomTask -Machine $m -Pid 100 -CoreDumpFor 0
            $t = $m.FindTask(100)
            $t.CoreDumping | Should -BeFalse
            $t.CoreDumpUntil | Should -BeNullOrEmpty
        }

        It '-MmuNotifierBlocks makes reaping partial: process_mrelease returns EAGAIN, the reaper gives up' {
            Set-OomTask -Machine $m -Pid 100 -MmuNotifierBlocks
            $m.FindTask(100).Mm.MmuNotifierBlocks | Should -BeTrue
            Set-OomTask -Machine $m -Pid 100 -ExitLatency 10000
            Invoke-OutOfMemory -Machine $m | Out-Null
            (Invoke-ProcessMrelease -Machine $m -Pid 100).Errno | Should -Be 'EAGAIN'
            $e = @(Step-OomTime -Machine $m -Milliseconds 3000)
            ($e | Where-Object Kind -EQ 'ReapRetry')[0].Text | Should -Be 'attempt 1: partial reap'
            ($e | Where-Object Kind -EQ 'UnableToReap').Seconds | Should -Be 3.0
            Set-OomTask -Machine $m -Pid 100 -MmuNotifierBlocks:$false
            $m.FindTask(100).Mm.MmuNotifierBlocks | Should -BeFalse
        }

        It 'changes every process piped in' {
            Get-OomTask -Machine $m | Set-OomTask -Machine $m -ExitLatency 100
            @($m.Tasks | ForEach-Object ExitLatencyJiffies) | Should -Be @(25, 25)
        }

        It '-WhatIf changes none of them' {
            Set-OomTask -Machine $m -Pid 100 -ExitLatency 200 -HoldMmapLock 1000 -CoreDumpFor 1000 -MmuNotifierBlocks -WhatIf
            $t = $m.FindTask(100)
            $t.ExitLatencyJiffies | Should -BeNullOrEmpty
            $t.Mm.MmapLockReleaseAt | Should -BeNullOrEmpty
            $t.CoreDumping | Should -BeFalse
            $t.Mm.MmuNotifierBlocks | Should -BeFalse
        }

        It 'rejects a negative time' {
            { Set-OomTask -Machine $m -Pid 100 -ExitLatency -1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.SetOomTaskCommand'
            { Set-OomTask -Machine $m -Pid 100 -HoldMmapLock -1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.SetOomTaskCommand'
            { Set-OomTask -Machine $m -Pid 100 -CoreDumpFor -1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.SetOomTaskCommand'
        }
    }
}
