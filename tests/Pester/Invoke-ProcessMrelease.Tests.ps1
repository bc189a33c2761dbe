BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Invoke-ProcessMrelease' {
    BeforeEach {
        $m = New-OomMachine -Name box -Swap 2GB
        # 1GB anon = 262144, 64MB file = 16384, 32MB shmem = 8192, 256MB swap = 65536 pages.
        Add-OomTask -Machine $m -Pid 500 -Name victim -AnonRss 1GB -FileRss 64MB -ShmemRss 32MB -Swap 256MB
        Add-OomTask -Machine $m -Pid 501 -Name bystander -AnonRss 100MB
    }

    Context 'a killed process' {
        BeforeEach {
            (Invoke-OutOfMemory -Machine $m).Victim.Pid | Should -Be 500
        }

        It 'reaps the anonymous memory and swap of a killed process and returns 0' {
            $r = Invoke-ProcessMrelease -Machine $m -Pid 500
            $r | Should -BeOfType ([OomTools.Engine.Killer.MreleaseResult])
            $r.Pid | Should -Be 500
            $r.Errno | Should -Be 'Success'
            $r.ReturnValue | Should -Be 0
            $r.PagesFreed.Value | Should -Be 327680      # 262144 anon + 65536 swap entries
        }

        It 'leaves file and shmem pages for exit and marks the mm MMF_UNSTABLE' {
            Invoke-ProcessMrelease -Machine $m -Pid 500 | Out-Null
            $t = $m.FindTask(500)
            $t.AnonPages.Value | Should -Be 0
            $t.SwapEntries.Value | Should -Be 0
            $t.FilePages.Value | Should -Be 16384
            $t.ShmemPages.Value | Should -Be 8192
            $t.Mm.Has([OomTools.Engine.Model.MmFlags]::Unstable) | Should -BeTrue
        }

        It 'frees nothing more on a second call, and still returns 0' {
            Invoke-ProcessMrelease -Machine $m -Pid 500 | Out-Null
            $r = Invoke-ProcessMrelease -Machine $m -Pid 500
            $r.ReturnValue | Should -Be 0
            $r.PagesFreed.Value | Should -Be 0
        }

        It 'returns -EINTR when a writer holds mmap_lock, reaping nothing' {
            $m.FindTask(500).Mm.MmapLockHeldForWrite = $true
            $r = Invoke-ProcessMrelease -Machine $m -Pid 500
            $r.Errno | Should -Be 'EINTR'
            $r.ReturnValue | Should -Be -4
            $m.FindTask(500).AnonPages.Value | Should -Be 262144
        }

        It 'returns -EAGAIN when a blocking MMU notifier stops the reaping' {
            $m.FindTask(500).Mm.MmuNotifierBlocks = $true
            $r = Invoke-ProcessMrelease -Machine $m -Pid 500
            $r.Errno | Should -Be 'EAGAIN'
            $r.ReturnValue | Should -Be -11
            $r.PagesFreed.Value | Should -Be 0
        }

        It 'describes itself as the syscall would be traced' {
            (Invoke-ProcessMrelease -Machine $m -Pid 500).ToString() | Should -Be 'process_mrelease(500) = 0 Success: reaped'
        }

        It 'binds Pid by property name, such as from Get-OomTask' {
            $r = Get-OomTask -Machine $m -Pid 500 | Invoke-ProcessMrelease -Machine $m
            $r.ReturnValue | Should -Be 0
            $r.PagesFreed.Value | Should -Be 327680
        }
    }

    Context 'a process that cannot be reaped' {
        It 'returns -EINVAL for a process that is not dying and changes nothing' {
            $before = Get-OomMachineState $m
            $r = Invoke-ProcessMrelease -Machine $m -Pid 500
            $r.Errno | Should -Be 'EINVAL'
            $r.ReturnValue | Should -Be -22
            $r.PagesFreed.Value | Should -Be 0
            Get-OomMachineState $m | Should -Be $before
        }

        It 'returns -EINVAL for flags other than 0' {
            Invoke-OutOfMemory -Machine $m | Out-Null
            $r = Invoke-ProcessMrelease -Machine $m -Pid 500 -Flags 1
            $r.Errno | Should -Be 'EINVAL'
            $m.FindTask(500).AnonPages.Value | Should -Be 262144
        }

        It 'returns -ESRCH for a pid that does not exist, as a result rather than an error' {
            $r = Invoke-ProcessMrelease -Machine $m -Pid 999 -ErrorVariable ev
            $ev.Count | Should -Be 0
            $r.Errno | Should -Be 'ESRCH'
            $r.ReturnValue | Should -Be -3
        }

        It 'returns -ESRCH for a process without an mm (a kernel thread)' {
            Add-OomTask -Machine $m -Pid 2 -Name kthreadd -KernelThread
            (Invoke-ProcessMrelease -Machine $m -Pid 2).Errno | Should -Be 'ESRCH'
        }

        It 'returns 0 for a process whose mm is already reaped (MMF_OOM_SKIP), though it is not dying' {
            Add-OomTask -Machine $m -Pid 600 -Name reaped -AnonRss 1MB -OomSkip
            $r = Invoke-ProcessMrelease -Machine $m -Pid 600
            $r.ReturnValue | Should -Be 0
            $r.PagesFreed.Value | Should -Be 0
        }

        It 'returns -EINVAL while a process sharing the mm is still alive, and reaps once all are dying' {
            Add-OomTask -Machine $m -Pid 600 -Name parent -AnonRss 1MB
            Add-OomTask -Machine $m -Pid 601 -Name child -SharesMemoryWith 600
            Set-OomTask -Machine $m -Pid 600 -GroupExiting
            (Invoke-ProcessMrelease -Machine $m -Pid 600).Errno | Should -Be 'EINVAL'
            Set-OomTask -Machine $m -Pid 601 -GroupExiting
            $r = Invoke-ProcessMrelease -Machine $m -Pid 600
            $r.Errno | Should -Be 'Success'
            $r.PagesFreed.Value | Should -Be 256
        }

        It 'reaps a dying process whose leader has already exited, through a thread that still has the mm' {
            # process_mrelease: p = find_lock_task_mm(task) is the thread that still has the mm, and
            # task_will_free_mem(p) looks at p->mm, which is set; SIGNAL_GROUP_EXIT is shared by the group.
            Add-OomTask -Machine $m -Pid 700 -Name leaderless -AnonRss 1GB -Threads 2 -DetachedThreads 1 -GroupExiting
            $r = Invoke-ProcessMrelease -Machine $m -Pid 700
            $r.Errno | Should -Be 'Success'
            $r.PagesFreed.Value | Should -Be 262144
        }
    }

    Context '-WhatIf' {
        It 'reaps nothing and returns nothing' {
            Invoke-OutOfMemory -Machine $m | Out-Null
            $before = Get-OomMachineState $m
            Invoke-ProcessMrelease -Machine $m -Pid 500 -WhatIf | Should -BeNullOrEmpty
            Get-OomMachineState $m | Should -Be $before
        }
    }
}
