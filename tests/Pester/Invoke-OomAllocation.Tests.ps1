BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Invoke-OomAllocation' {
    Context 'RAM runs out: a global OOM with the allocating task as current' {
        BeforeEach {
            # 1GB of RAM = 262144 pages. hog 600MB = 153600 pages, grower 300MB = 76800: 230400 used, 31744 free.
            $m = New-OomMachine -Name box -Memory 1GB
            Add-OomTask -Machine $m -Pid 100 -Name hog -AnonRss 600MB
            Add-OomTask -Machine $m -Pid 101 -Name grower -AnonRss 300MB
        }

        It 'charges what fits, kills the biggest process, waits for its exit and charges the rest' {
            # 200MB = 51200 pages: 31744 fit (grower 108544 pages), then the OOM kills hog (153600 points),
            # which exits 5 jiffies later; the other 19456 pages are charged then.
            $e = @(Invoke-OomAllocation -Machine $m -Pid 101 -Size 200MB -Detail)
            @($e.Kind) | Should -Be @('OutOfMemory', 'Exit', 'Allocated')
            $e[0] | Should -BeOfType ([OomTools.Engine.Timeline.TimelineEvent])
            $e[0].Text | Should -Be 'global OOM: Killed 100 (hog) with 153600 points of 262144 pages.'
            $e[0].Outcome.Current.Pid | Should -Be 101
            $e[0].Outcome.Constraint | Should -Be 'None'
            @($e.Jiffies) | Should -Be @(0, 5, 5)
            @($e.MemoryInUsePages) | Should -Be @(262144, 108544, 128000)
            $e[2].Text | Should -Be 'allocated 51200 pages (51200 of 51200)'
            $m.FindTask(101).AnonPages.Value | Should -Be 128000
            $m.FindTask(100) | Should -BeNullOrEmpty
        }

        It 'writes the kernel''s report with the allocating task in the invoked line' {
            Invoke-OomAllocation -Machine $m -Pid 101 -Size 200MB | Out-Null
            (Get-OomLog -Machine $m)[0].Text | Should -Be 'grower invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0'
        }

        It 'binds -Pid by property name' {
            $e = @(Get-OomTask -Machine $m -Pid 101 | Invoke-OomAllocation -Machine $m -Size 1MB)
            @($e.Kind) | Should -Be @('Allocated')
            $e[0].Pages | Should -Be 256
            $m.FindTask(101).AnonPages.Value | Should -Be 77056
        }

        It 'rounds -Size up to whole pages' {
            (Invoke-OomAllocation -Machine $m -Pid 101 -Size 1).Pages | Should -Be 1
        }

        It 'fails with -ENOMEM while the OOM killer is disabled, keeping what was charged' {
            Disable-OomKiller -Machine $m | Should -BeTrue
            $e = @(Invoke-OomAllocation -Machine $m -Pid 101 -Size 200MB)
            @($e.Kind) | Should -Be @('AllocationFailed')
            $e[0].Text | Should -Be '-ENOMEM: the OOM killer could not free memory'
            $m.FindTask(101).AnonPages.Value | Should -Be 108544
            $m.FindTask(100).GroupExiting | Should -BeFalse
        }

        It '-WhatIf allocates nothing' {
            $before = Get-OomMachineState $m
            Invoke-OomAllocation -Machine $m -Pid 101 -Size 200MB -WhatIf | Should -BeNullOrEmpty
            Get-OomMachineState $m | Should -Be $before
        }

        It 'writes TaskNotFound for an unknown pid' {
            Invoke-OomAllocation -Machine $m -Pid 999 -Size 1MB -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $ev[0].FullyQualifiedErrorId | Should -Be 'TaskNotFound,OomTools.Commands.InvokeOomAllocationCommand'
        }

        It 'rejects a size of 0' {
            { Invoke-OomAllocation -Machine $m -Pid 101 -Size 0 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.InvokeOomAllocationCommand'
        }
    }

    Context 'a memory cgroup''s limit' {
        BeforeEach {
            # /app: memory.max 100MB = 25600 pages.
            $m = New-OomMachine -Name box -Memory 4GB
            New-OomCgroup -Machine $m -Path /app -MemoryMax 100MB | Out-Null
        }

        It 'runs a memcg OOM with the allocating task as current' {
            # a 60MB = 15360 pages, b 30MB = 7680: usage 23040, room 2560. b asks for 20MB = 5120 pages.
            Add-OomTask -Machine $m -Pid 200 -Name a -AnonRss 60MB -Cgroup /app
            Add-OomTask -Machine $m -Pid 201 -Name b -AnonRss 30MB -Cgroup /app
            $e = @(Invoke-OomAllocation -Machine $m -Pid 201 -Size 20MB -Detail)
            @($e.Kind) | Should -Be @('OutOfMemory', 'Exit', 'Allocated')
            $e[0].Text | Should -Be 'memcg /app OOM: Killed 200 (a) with 15360 points of 25600 pages.'
            $e[0].Outcome.Memcg.Path | Should -Be '/app'
            $e[0].Outcome.Constraint | Should -Be 'Memcg'
            $e[0].Outcome.Current.Pid | Should -Be 201
            $m.FindTask(201).AnonPages.Value | Should -Be 12800
            [OomTools.Engine.Memcontrol.MemCgroups]::MemoryCurrent($m.FindCgroup('/app')).Value | Should -Be 12800
        }

        It 'ends with AllocationFailed when the allocating task is the one killed' {
            # a 10MB = 2560 pages, b 80MB = 20480: b reaches 23040 pages and outscores a.
            Add-OomTask -Machine $m -Pid 200 -Name a -AnonRss 10MB -Cgroup /app
            Add-OomTask -Machine $m -Pid 201 -Name b -AnonRss 80MB -Cgroup /app
            $e = @(Invoke-OomAllocation -Machine $m -Pid 201 -Size 20MB)
            @($e.Kind) | Should -Be @('OutOfMemory', 'AllocationFailed')
            $e[0].Outcome.Victim.Pid | Should -Be 201
            $e[1].Text | Should -Be 'the allocating task was killed'
            $e[1].Pages | Should -Be 5120
        }
    }

    Context '-Rate' {
        It 'grows over simulated time: 100MB at 50MB/s is done 2 s later' {
            # 50MB/s = 12800 pages/s; a tick is HZ/100 = 2 jiffies (8 ms): 12800 * 2 / 250 = 102 pages per tick.
            # 25600 pages = 250 ticks of 102 and a last one of 100, at jiffy 500.
            $m = New-OomMachine -Name box -Memory 1GB
            Add-OomTask -Machine $m -Pid 101 -Name grower -AnonRss 10MB
            $e = @(Invoke-OomAllocation -Machine $m -Pid 101 -Size 100MB -Rate 50MB -Detail)
            $e.Count | Should -Be 251
            @($e.Kind | Select-Object -Unique) | Should -Be @('Allocated')
            $e[0].Text | Should -Be 'allocated 102 pages (102 of 25600)'
            $e[1].Jiffies | Should -Be 2
            $e[-1].Text | Should -Be 'allocated 100 pages (25600 of 25600)'
            $e[-1].Seconds | Should -Be 2.0
            $m.Jiffies | Should -Be 500
        }
    }

    Context 'the summary: one event per OOM and the final result, unless -Detail' {
        It 'a leak at -Rate returns 1 event, not 251: all 25600 pages, at the last tick' {
            $m = New-OomMachine -Name box -Memory 1GB
            Add-OomTask -Machine $m -Pid 101 -Name grower -AnonRss 10MB
            $e = @(Invoke-OomAllocation -Machine $m -Pid 101 -Size 100MB -Rate 50MB)
            $e.Count | Should -Be 1
            $e[0].Kind | Should -Be 'Allocated'
            $e[0].Pages | Should -Be 25600
            $e[0].Seconds | Should -Be 2.0
            $e[0].Text | Should -Be 'allocated 25600 pages in 251 steps from 0 s to 2 s (25600 of 25600)'
            $e[0].MemoryInUsePages | Should -Be 28160   # 10MB + 100MB = 2560 + 25600 pages
        }

        It 'a storm of OOMs returns each OOM with its outcome, then the result; the exits only with -Detail' {
            # 1GB of RAM; three 200MB hogs and an unkillable grower of 10MB leaking 700MB at 400MB/s: 414MB fit, then
            # two hogs are killed in turn to make room for the other 286MB.
            $m = New-OomMachine -Name box -Memory 1GB
            Add-OomTask -Machine $m -Pid 100 -Name hog1 -AnonRss 200MB
            Add-OomTask -Machine $m -Pid 101 -Name hog2 -AnonRss 200MB
            Add-OomTask -Machine $m -Pid 102 -Name hog3 -AnonRss 200MB
            Add-OomTask -Machine $m -Pid 500 -Name grower -AnonRss 10MB -OomScoreAdj -1000
            $copy = $m.Clone()
            $e = @(Invoke-OomAllocation -Machine $m -Pid 500 -Size 700MB -Rate 400MB)
            $detail = @(Invoke-OomAllocation -Machine $copy -Pid 500 -Size 700MB -Rate 400MB -Detail)
            $ooms = @($detail | Where-Object Kind -EQ 'OutOfMemory')
            $ooms.Count | Should -Be 2
            $detail.Count | Should -BeGreaterThan 100
            @($e.Kind) | Should -Be (@($ooms.Kind) + 'Allocated')
            @($e | Where-Object Kind -EQ 'OutOfMemory' | ForEach-Object { $_.Outcome.Victim.Pid }) |
                Should -Be @($ooms | ForEach-Object { $_.Outcome.Victim.Pid })
            $e[-1].Pages | Should -Be 179200   # 700MB
            $e[-1].Jiffies | Should -Be $detail[-1].Jiffies
            $m.FindTask(500).AnonPages.Value | Should -Be $copy.FindTask(500).AnonPages.Value
        }

        It 'ends with the failure itself when the allocation does not get its memory' {
            $m = New-OomMachine -Name box -Memory 4GB
            New-OomCgroup -Machine $m -Path /app -MemoryMax 100MB | Out-Null
            Add-OomTask -Machine $m -Pid 200 -Name a -AnonRss 10MB -Cgroup /app
            Add-OomTask -Machine $m -Pid 201 -Name b -AnonRss 80MB -Cgroup /app
            $e = @(Invoke-OomAllocation -Machine $m -Pid 201 -Size 20MB)
            @($e.Kind) | Should -Be @('OutOfMemory', 'AllocationFailed')
        }
    }
}
