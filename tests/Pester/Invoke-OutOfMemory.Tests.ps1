BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Invoke-OutOfMemory' {

    Context 'a global OOM' {
        BeforeEach {
            # 16GB RAM, no swap: totalpages = 4194304.
            $m = New-OomMachine -Name box
            Add-OomTask -Machine $m -Pid 1 -Name systemd -AnonRss 100MB
            Add-OomTask -Machine $m -Pid 500 -Name worker-a -AnonRss 512MB
            Add-OomTask -Machine $m -Pid 501 -Name worker -AnonRss 1GB
            Add-OomTask -Machine $m -Pid 502 -Name small -AnonRss 10MB
        }

        It 'kills the process with the most points and says so in the outcome' {
            $o = Invoke-OutOfMemory -Machine $m
            $o | Should -BeOfType ([OomTools.Engine.Killer.OomOutcome])
            $o.Victim.Pid | Should -Be 501
            $o.VictimPoints | Should -Be 262144
            @($o.KilledPids) | Should -Be @(501)
            $o.Constraint | Should -Be 'None'
            $o.TotalPages.Value | Should -Be 4194304
            $o.Result | Should -BeTrue
            $o.Aborted | Should -BeFalse
            $o.Panic | Should -BeNullOrEmpty
            $o.Reason | Should -Be 'Killed 501 (worker) with 262144 points of 4194304 pages.'
        }

        It 'uses GFP_HIGHUSER_MOVABLE (a page fault) from a kernel worker by default' {
            $o = Invoke-OutOfMemory -Machine $m
            $o.GfpMask.Value | Should -Be 0x100cca
            $o.Order | Should -Be 0
            $o.Current | Should -BeNullOrEmpty
            $o.Log[0].Text | Should -Be 'kworker/0:1 invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=0'
        }

        It 'sends SIGKILL and marks the victim (TIF_MEMDIE, oom_mm), counts the kill and queues the reaper' {
            Invoke-OutOfMemory -Machine $m | Out-Null
            $v = $m.FindTask(501)
            $v.GroupExiting | Should -BeTrue
            $v.MemDie | Should -BeTrue
            $v.IsOomVictim | Should -BeTrue
            $v.Mm.Has([OomTools.Engine.Model.MmFlags]::OomReapQueued) | Should -BeTrue
            $v.ReaperTimerExpires | Should -Be 500        # OOM_REAPER_DELAY = 2 * HZ(250)
            $m.OomVictims | Should -Be 1
            $m.OomKillCount | Should -Be 1
            $m.FindTask(500).GroupExiting | Should -BeFalse
        }

        It 'records every evaluated task with its points or the reason it was passed over' {
            $o = Invoke-OutOfMemory -Machine $m
            @($o.Candidates | ForEach-Object Pid) | Should -Be @(1, 500, 501, 502)
            ($o.Candidates | Where-Object Pid -EQ 1).Reason | Should -Be 'GlobalInit'
            ($o.Candidates | Where-Object Pid -EQ 501).Rank | Should -Be 1
            ($o.Candidates | Where-Object Pid -EQ 500).Rank | Should -Be 2
        }

        It 'counts swap entries and page tables: 196608 + 65536 + 2 beats 262144' {
            $s = New-OomMachine -Swap 4GB
            Add-OomTask -Machine $s -Pid 10 -Name anon-only -AnonRss 1GB
            Add-OomTask -Machine $s -Pid 11 -Name swapped -AnonRss 768MB -Swap 256MB -PageTableBytes 8192
            $o = Invoke-OutOfMemory -Machine $s
            $o.Victim.Pid | Should -Be 11
            $o.VictimPoints | Should -Be 262146
            $o.TotalPages.Value | Should -Be 5242880     # RAM + swap
        }

        It 'adds oom_score_adj * (totalpages/1000): 131072 + 100 * 4194 = 550472 beats 262144' {
            $a = New-OomMachine
            Add-OomTask -Machine $a -Pid 600 -Name big -AnonRss 1GB
            Add-OomTask -Machine $a -Pid 601 -Name favoured -AnonRss 512MB -OomScoreAdj 100
            $o = Invoke-OutOfMemory -Machine $a
            $o.Victim.Pid | Should -Be 601
            $o.VictimPoints | Should -Be 550472
        }

        It 'breaks a tie in favour of the later process in task order, not the higher pid' {
            $t = New-OomMachine
            Add-OomTask -Machine $t -Pid 900 -Name first -AnonRss 1GB
            Add-OomTask -Machine $t -Pid 100 -Name second -AnonRss 1GB
            (Invoke-OutOfMemory -Machine $t).Victim.Pid | Should -Be 100
        }

        It 'never kills global init, kernel threads or oom_score_adj -1000, however large' {
            $u = New-OomMachine
            Add-OomTask -Machine $u -Pid 1 -Name init -AnonRss 8GB
            Add-OomTask -Machine $u -Pid 2 -Name kworker -KernelThread
            Add-OomTask -Machine $u -Pid 10 -Name sshd -AnonRss 4GB -OomScoreAdj -1000
            Add-OomTask -Machine $u -Pid 11 -Name app -AnonRss 1MB
            (Invoke-OutOfMemory -Machine $u).Victim.Pid | Should -Be 11
        }

        It 'kills an OOM-origin task (swapoff, KSM) first with LONG_MAX points' {
            Add-OomTask -Machine $m -Pid 600 -Name swapoff -AnonRss 1MB -OomOrigin
            $o = Invoke-OutOfMemory -Machine $m
            $o.Victim.Pid | Should -Be 600
            $o.VictimPoints | Should -Be ([long]::MaxValue)
        }

        It 'takes the machine from the pipeline' {
            ($m | Invoke-OutOfMemory).Victim.Pid | Should -Be 501
        }

        It 'selects an OOM-origin task even with oom_score_adj -1000 (origin is checked before oom_badness)' {
            Add-OomTask -Machine $m -Pid 600 -Name ksmd-unmerge -AnonRss 1MB -OomOrigin -OomScoreAdj -1000
            (Invoke-OutOfMemory -Machine $m).Victim.Pid | Should -Be 600
        }

        It 'skips the kill of a chosen OOM-origin task that has no mm left and does not claim to have killed it' {
            # __oom_kill_process: find_lock_task_mm() finds no thread with an mm -> "is already exiting. Skip killing the task"
            Add-OomTask -Machine $m -Pid 600 -Name swapoff -OomOrigin -DetachedThreads 1
            $o = Invoke-OutOfMemory -Machine $m
            $o.Victim.Pid | Should -Be 600
            @($o.Killed).Count | Should -Be 0
            (Get-OomLogText $o.Log)[-1] | Should -Be 'Out of memory: OOM victim 600 (swapoff) is already exiting. Skip killing the task'
            $o.Reason | Should -Not -BeLike 'Killed*'
        }
    }

    Context 'an earlier victim' {
        BeforeEach {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name big -AnonRss 2GB
            Add-OomTask -Machine $m -Pid 101 -Name next -AnonRss 1GB
        }

        It 'aborts while an earlier victim is still exiting: nothing new is killed, out_of_memory returns true' {
            Invoke-OutOfMemory -Machine $m | Out-Null
            $logBefore = $m.Log.Count
            $o = Invoke-OutOfMemory -Machine $m
            $o.Aborted | Should -BeTrue
            $o.AbortedBy.Pid | Should -Be 100
            $o.Victim | Should -BeNullOrEmpty
            @($o.Killed).Count | Should -Be 0
            $o.Result | Should -BeTrue
            $m.FindTask(101).GroupExiting | Should -BeFalse
            $m.Log.Count | Should -Be $logBefore
        }

        It 'skips a victim whose mm the reaper is done with (MMF_OOM_SKIP) and goes on' {
            Add-OomTask -Machine $m -Pid 102 -Name reaped -AnonRss 4GB -OomVictim -OomSkip
            $o = Invoke-OutOfMemory -Machine $m
            $o.Aborted | Should -BeFalse
            $o.Victim.Pid | Should -Be 100
            ($o.Candidates | Where-Object Pid -EQ 102).Reason | Should -Be 'ReapedVictim'
        }

        It 'only gives the memory reserves to a chosen task that is already exiting, killing nothing' {
            Set-OomTask -Machine $m -Pid 100 -GroupExiting
            $o = Invoke-OutOfMemory -Machine $m
            $o.Victim.Pid | Should -Be 100
            @($o.Killed).Count | Should -Be 0
            $o.Log.Count | Should -Be 0
            $o.Result | Should -BeTrue
            $m.FindTask(100).MemDie | Should -BeTrue
            $m.OomKillCount | Should -Be 0
        }
    }

    Context 'nothing to kill' {
        It 'panics "System is deadlocked on memory" when a global OOM finds no killable process' {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 1 -Name init -AnonRss 1GB
            $o = Invoke-OutOfMemory -Machine $m
            $o.Victim | Should -BeNullOrEmpty
            $o.Result | Should -BeFalse
            $o.Panic | Should -Be 'System is deadlocked on memory'
            $text = Get-OomLogText $o.Log
            $text | Should -Contain 'Out of memory and no killable processes...'
            $text[-1] | Should -Be 'Kernel panic - not syncing: System is deadlocked on memory'
            $m.PanicMessage | Should -Be 'System is deadlocked on memory'
        }

        It 'does not panic for a memory cgroup with nothing killable; out_of_memory returns false' {
            $m = New-OomMachine
            New-OomCgroup -Machine $m -Path /app -MemoryMax 1GB | Out-Null
            Add-OomTask -Machine $m -Pid 10 -Name guarded -AnonRss 1GB -Cgroup /app -OomScoreAdj -1000
            $o = Invoke-OutOfMemory -Machine $m -Cgroup /app
            $o.Result | Should -BeFalse
            $o.Panic | Should -BeNullOrEmpty
            Get-OomLogText $o.Log | Should -Contain 'Out of memory and no killable processes...'
        }
    }

    Context 'the allocation''s gfp mask' {
        BeforeEach {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name worker -AnonRss 1GB
        }

        It 'kills nothing for an allocation without __GFP_FS (GFP_NOFS) and returns true' {
            $o = Invoke-OutOfMemory -Machine $m -GfpMask GFP_NOFS
            $o.Victim | Should -BeNullOrEmpty
            @($o.Killed).Count | Should -Be 0
            $o.Result | Should -BeTrue
            $o.Log.Count | Should -Be 0
            $m.FindTask(100).GroupExiting | Should -BeFalse
        }

        It 'still kills in a memory cgroup OOM without __GFP_FS' {
            New-OomCgroup -Machine $m -Path /app -MemoryMax 1GB | Out-Null
            Add-OomTask -Machine $m -Pid 200 -Name inapp -AnonRss 100MB -Cgroup /app
            (Invoke-OutOfMemory -Machine $m -Cgroup /app -GfpMask GFP_NOFS).Victim.Pid | Should -Be 200
        }

        It 'takes the mask as a number or as flag names and logs it as %#x(%pGg)' {
            (Invoke-OutOfMemory -Machine $m -GfpMask 0x140cca -WhatIf).Log[0].Text |
                Should -Be 'kworker/0:1 invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0'
            (Invoke-OutOfMemory -Machine $m -GfpMask 'GFP_KERNEL|__GFP_COMP' -Order 2 -WhatIf).Log[0].Text |
                Should -Be 'kworker/0:1 invoked oom-killer: gfp_mask=0x40cc0(GFP_KERNEL|__GFP_COMP), order=2, oom_score_adj=0'
        }
    }

    Context 'a memory cgroup OOM' {
        BeforeEach {
            # 16GB RAM, no swap.
            $m = New-OomMachine -Name box
            New-OomCgroup -Machine $m -Path /app -MemoryMax 1GB | Out-Null
            New-OomCgroup -Machine $m -Path /app/sub | Out-Null
            Add-OomTask -Machine $m -Pid 100 -Name outside -AnonRss 8GB
            Add-OomTask -Machine $m -Pid 101 -Name subtask -AnonRss 300MB -Cgroup /app/sub
            Add-OomTask -Machine $m -Pid 102 -Name apptask -AnonRss 200MB -Cgroup /app
        }

        It 'chooses only inside the cgroup subtree and spares a larger process outside it' {
            $o = Invoke-OutOfMemory -Machine $m -Cgroup /app
            $o.Victim.Pid | Should -Be 101
            @($o.KilledPids) | Should -Be @(101)
            $o.Constraint | Should -Be 'Memcg'
            $o.Memcg.Path | Should -Be '/app'
            @($o.Candidates | ForEach-Object Pid) | Should -Be @(102, 101)   # cgroups in pre-order
            $m.FindTask(100).GroupExiting | Should -BeFalse
        }

        It 'uses totalpages = memory.max = 262144 pages when the machine has no swap' {
            (Invoke-OutOfMemory -Machine $m -Cgroup /app).TotalPages.Value | Should -Be 262144
        }

        It 'defaults to GFP_KERNEL (a charge) and reports "Memory cgroup out of memory"' {
            $text = Get-OomLogText (Invoke-OutOfMemory -Machine $m -Cgroup /app).Log
            $text[0] | Should -Be 'kworker/0:1 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0'
            $text | Should -Contain 'oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/app,task_memcg=/app/sub,task=subtask,pid=101,uid=0'
            $text | Should -Contain 'Memory cgroup out of memory: Killed process 101 (subtask) total-vm:307200kB, anon-rss:307200kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0'
        }

        It 'breaks ties by scan order: cgroups in pre-order, each in arrival order, the later one wins' {
            # 102 (in /app) is scanned before 101 (in /app/sub) although it was forked later.
            Set-OomTask -Machine $m -Pid 102 -AnonRss 300MB
            (Invoke-OutOfMemory -Machine $m -Cgroup /app).Victim.Pid | Should -Be 101
        }

        It 'counts oom_kill events in the victim''s cgroup and its ancestors (cgroup v2)' {
            Invoke-OutOfMemory -Machine $m -Cgroup /app | Out-Null
            $m.FindCgroup('/app/sub').OomKillEvents | Should -Be 1
            $m.FindCgroup('/app').OomKillEvents | Should -Be 1
        }

        It 'uses totalpages 1 for memory.max 0 (mem_cgroup_get_max() ?: 1)' {
            New-OomCgroup -Machine $m -Path /zero -MemoryMax 0 | Out-Null
            Add-OomTask -Machine $m -Pid 200 -Name z -AnonRss 1MB -Cgroup /zero
            (Invoke-OutOfMemory -Machine $m -Cgroup /zero).TotalPages.Value | Should -Be 1
        }

        It 'ignores vm.oom_kill_allocating_task' {
            $k = New-OomMachine -OomKillAllocatingTask
            New-OomCgroup -Machine $k -Path /app -MemoryMax 1GB | Out-Null
            Add-OomTask -Machine $k -Pid 101 -Name big -AnonRss 500MB -Cgroup /app
            Add-OomTask -Machine $k -Pid 102 -Name alloc -AnonRss 1MB -Cgroup /app
            (Invoke-OutOfMemory -Machine $k -Cgroup /app -Current 102).Victim.Pid | Should -Be 101
        }
    }

    Context 'memory cgroup totalpages and swap (mem_cgroup_get_max)' {
        BeforeAll {
            # 16GB RAM, 2GB swap = 524288 swap pages.
            $v2 = New-OomMachine -Swap 2GB
            New-OomCgroup -Machine $v2 -Path /capped -MemoryMax 1GB -SwapMax 512MB | Out-Null
            New-OomCgroup -Machine $v2 -Path /open -MemoryMax 1GB | Out-Null
            Add-OomTask -Machine $v2 -Pid 10 -Name a -AnonRss 1MB -Cgroup /capped
            Add-OomTask -Machine $v2 -Pid 11 -Name b -AnonRss 1MB -Cgroup /open

            $noswappiness = New-OomMachine -Swap 2GB -Swappiness 0
            New-OomCgroup -Machine $noswappiness -Path /open -MemoryMax 1GB | Out-Null
            Add-OomTask -Machine $noswappiness -Pid 10 -Name a -AnonRss 1MB -Cgroup /open

            $v1 = New-OomMachine -Swap 2GB -CgroupVersion 1
            New-OomCgroup -Machine $v1 -Path /memsw -MemoryMax 1GB -SwapMax 256MB | Out-Null
            New-OomCgroup -Machine $v1 -Path /quiet -MemoryMax 1GB -SwapMax 256MB -Swappiness 0 | Out-Null
            New-OomCgroup -Machine $v1 -Path /open -MemoryMax 1GB | Out-Null
            Add-OomTask -Machine $v1 -Pid 10 -Name a -AnonRss 1MB -Cgroup /memsw
            Add-OomTask -Machine $v1 -Pid 11 -Name b -AnonRss 1MB -Cgroup /quiet
            Add-OomTask -Machine $v1 -Pid 12 -Name c -AnonRss 1MB -Cgroup /open
        }

        It 'v2: adds swap.max: 262144 + 131072 = 393216' {
            (Invoke-OutOfMemory -Machine $v2 -Cgroup /capped -WhatIf).TotalPages.Value | Should -Be 393216
        }

        It 'v2: caps an unlimited swap.max at the total swap: 262144 + 524288 = 786432' {
            (Invoke-OutOfMemory -Machine $v2 -Cgroup /open -WhatIf).TotalPages.Value | Should -Be 786432
        }

        It 'adds no swap when vm.swappiness is 0: 262144' {
            (Invoke-OutOfMemory -Machine $noswappiness -Cgroup /open -WhatIf).TotalPages.Value | Should -Be 262144
        }

        It 'v1: adds memsw.max - memory.max: 262144 + 65536 = 327680' {
            (Invoke-OutOfMemory -Machine $v1 -Cgroup /memsw -WhatIf).TotalPages.Value | Should -Be 327680
        }

        It 'v1: adds no swap when the cgroup''s own memory.swappiness is 0' {
            (Invoke-OutOfMemory -Machine $v1 -Cgroup /quiet -WhatIf).TotalPages.Value | Should -Be 262144
        }

        It 'v1: caps an unlimited memsw at the total swap: 262144 + 524288 = 786432' {
            (Invoke-OutOfMemory -Machine $v1 -Cgroup /open -WhatIf).TotalPages.Value | Should -Be 786432
        }
    }

    Context 'memory.oom.group' {
        BeforeEach {
            $m = New-OomMachine
            New-OomCgroup -Machine $m -Path /svc -OomGroup | Out-Null
            New-OomCgroup -Machine $m -Path /svc/w | Out-Null
            Add-OomTask -Machine $m -Pid 100 -Name outside -AnonRss 100MB
            Add-OomTask -Machine $m -Pid 200 -Name main -AnonRss 200MB -Cgroup /svc
            Add-OomTask -Machine $m -Pid 201 -Name guard -AnonRss 10MB -Cgroup /svc -OomScoreAdj -1000
            Add-OomTask -Machine $m -Pid 202 -Name worker -AnonRss 1GB -Cgroup /svc/w
        }

        It 'kills the whole group with the victim, except oom_score_adj -1000, and spares the rest' {
            $o = Invoke-OutOfMemory -Machine $m
            $o.Victim.Pid | Should -Be 202
            @($o.KilledPids) | Should -Be @(202, 200)
            $m.FindTask(201).GroupExiting | Should -BeFalse
            $m.FindTask(100).GroupExiting | Should -BeFalse
            $m.FindTask(200).IsOomVictim | Should -BeTrue
        }

        It 'logs the group kill; the victim is signalled again by the group scan' {
            $text = Get-OomLogText (Invoke-OutOfMemory -Machine $m).Log
            $i = [array]::IndexOf($text, 'Tasks in /svc are going to be killed due to memory.oom.group set')
            $i | Should -BeGreaterThan 0
            $text[$i - 1] | Should -Be 'Out of memory: Killed process 202 (worker) total-vm:1048576kB, anon-rss:1048576kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0'
            $text[$i + 1] | Should -Be 'Out of memory: Killed process 200 (main) total-vm:204800kB, anon-rss:204800kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0'
            $text[$i + 2] | Should -Be 'Out of memory: Killed process 202 (worker) total-vm:1048576kB, anon-rss:1048576kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0'
            $m.FindCgroup('/svc').OomGroupKillEvents | Should -Be 1
        }

        It 'does not look above the OOM domain for memory.oom.group' {
            New-OomCgroup -Machine $m -Path /svc/w/limited -MemoryMax 2GB | Out-Null
            Add-OomTask -Machine $m -Pid 300 -Name inner -AnonRss 100MB -Cgroup /svc/w/limited
            Add-OomTask -Machine $m -Pid 301 -Name inner2 -AnonRss 50MB -Cgroup /svc/w/limited
            $o = Invoke-OutOfMemory -Machine $m -Cgroup /svc/w/limited
            @($o.KilledPids) | Should -Be @(300)
            Get-OomLogText $o.Log | Should -Not -Contain 'Tasks in /svc are going to be killed due to memory.oom.group set'
        }
    }

    Context 'a shared mm (CLONE_VM)' {
        BeforeEach {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name other -AnonRss 1GB
            Add-OomTask -Machine $m -Pid 600 -Name parent -AnonRss 2GB
            Add-OomTask -Machine $m -Pid 601 -Name child -SharesMemoryWith 600
        }

        It 'kills every process that shares the victim''s mm' {
            $o = Invoke-OutOfMemory -Machine $m
            $o.Victim.Pid | Should -Be 601       # same points as 600, later in task order
            $o.VictimPoints | Should -Be 524288
            @($o.AllKilled.Pid) | Should -Be @(601, 600)
            # As the kernel's log: a Killed process line names the victim; the sharer dies without one.
            @($o.KilledPids) | Should -Be @(601)
            @($o.MmSharersKilled.Pid) | Should -Be @(600)
            $m.FindTask(600).GroupExiting | Should -BeTrue
            $m.FindTask(100).GroupExiting | Should -BeFalse
        }

        It 'prints "Killed process" for the victim only' {
            $text = Get-OomLogText (Invoke-OutOfMemory -Machine $m).Log
            @($text | Where-Object { $_ -like '*Killed process*' }) |
                Should -Be @('Out of memory: Killed process 601 (child) total-vm:2097152kB, anon-rss:2097152kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0')
        }

        It 'kills a process sharing the mm even if it has oom_score_adj -1000' {
            # Set-OomTask would carry -1000 over to 601 as the kernel does (MMF_MULTIPROCESS); build it apart instead.
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name other -AnonRss 1GB
            Add-OomTask -Machine $m -Pid 600 -Name parent -AnonRss 2GB -OomScoreAdj -1000
            Add-OomTask -Machine $m -Pid 601 -Name child -SharesMemoryWith 600
            $o = Invoke-OutOfMemory -Machine $m
            @($o.AllKilled.Pid) | Should -Be @(601, 600)
        }

        It 'leaves global init alone, pins the mm with MMF_OOM_SKIP and queues no reaper' {
            $i = New-OomMachine
            Add-OomTask -Machine $i -Pid 1 -Name init -AnonRss 2GB
            Add-OomTask -Machine $i -Pid 50 -Name helper -SharesMemoryWith 1
            $o = Invoke-OutOfMemory -Machine $i
            @($o.KilledPids) | Should -Be @(50)
            $i.FindTask(1).GroupExiting | Should -BeFalse
            Get-OomLogText $o.Log | Should -Contain 'oom killer 50 (helper) has mm pinned by 1 (init)'
            $i.FindTask(50).Mm.Has([OomTools.Engine.Model.MmFlags]::OomSkip) | Should -BeTrue
            $i.FindTask(50).ReaperTimerExpires | Should -BeNullOrEmpty
        }
    }

    Context 'SysRq-f (-Order -1)' {
        It 'does not wait for an earlier victim that is still exiting' {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name dying -AnonRss 100MB -OomVictim
            Add-OomTask -Machine $m -Pid 101 -Name big -AnonRss 1GB
            (Invoke-OutOfMemory -Machine $m -WhatIf).Aborted | Should -BeTrue
            $o = Invoke-OutOfMemory -Machine $m -Order -1
            $o.Aborted | Should -BeFalse
            @($o.KilledPids) | Should -Be @(101)
        }

        It 'never panics, not even with vm.panic_on_oom = 2' {
            $m = New-OomMachine -PanicOnOom 2
            Add-OomTask -Machine $m -Pid 100 -Name big -AnonRss 1GB
            $o = Invoke-OutOfMemory -Machine $m -Order -1
            $o.Panic | Should -BeNullOrEmpty
            @($o.KilledPids) | Should -Be @(100)
        }

        It 'does not panic when nothing is killable and returns false ("OOM request ignored")' {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 1 -Name init -AnonRss 1GB
            $o = Invoke-OutOfMemory -Machine $m -Order -1
            $o.Panic | Should -BeNullOrEmpty
            $o.Result | Should -BeFalse
            $m.PanicMessage | Should -BeNullOrEmpty
        }

        It 'reports the allocation as SysRq-f makes it: gfp_mask=0xcc0(GFP_KERNEL), order=-1' {
            # drivers/tty/sysrq.c moom_callback: { .gfp_mask = GFP_KERNEL, .order = -1 } from a kworker.
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name big -AnonRss 1GB
            $o = Invoke-OutOfMemory -Machine $m -Order -1
            $o.Log[0].Text | Should -Be 'kworker/0:1 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=-1, oom_score_adj=0'
        }
    }

    Context 'the allocating task (-Current)' {
        BeforeEach {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name big -AnonRss 1GB
            Add-OomTask -Machine $m -Pid 101 -Name alloc -AnonRss 1MB -OomScoreAdj -10
        }

        It 'names current and its oom_score_adj in the header' {
            $o = Invoke-OutOfMemory -Machine $m -Current 101
            $o.Current.Pid | Should -Be 101
            $o.Log[0].Text | Should -Be 'alloc invoked oom-killer: gfp_mask=0x100cca(GFP_HIGHUSER_MOVABLE), order=0, oom_score_adj=-10'
            $o.Victim.Pid | Should -Be 100    # vm.oom_kill_allocating_task is off
        }

        It 'kills current with vm.oom_kill_allocating_task, even though it is small' {
            $k = New-OomMachine -OomKillAllocatingTask
            Add-OomTask -Machine $k -Pid 100 -Name big -AnonRss 1GB
            Add-OomTask -Machine $k -Pid 101 -Name alloc -AnonRss 1MB -OomScoreAdj -10
            $o = Invoke-OutOfMemory -Machine $k -Current 101
            @($o.KilledPids) | Should -Be @(101)
            Get-OomLogText $o.Log | Should -Contain 'Out of memory (oom_kill_allocating_task): Killed process 101 (alloc) total-vm:1024kB, anon-rss:1024kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:-10'
            @($o.Candidates).Count | Should -Be 0     # no scan was made
        }

        It 'falls back to the scan with vm.oom_kill_allocating_task when current is oom_score_adj -1000' {
            $k = New-OomMachine -OomKillAllocatingTask
            Add-OomTask -Machine $k -Pid 100 -Name big -AnonRss 1GB
            Add-OomTask -Machine $k -Pid 101 -Name alloc -AnonRss 1MB -OomScoreAdj -1000
            (Invoke-OutOfMemory -Machine $k -Current 101).Victim.Pid | Should -Be 100
        }

        It 'gives an exiting current the memory reserves instead of killing anything' {
            Set-OomTask -Machine $m -Pid 101 -Exiting
            $o = Invoke-OutOfMemory -Machine $m -Current 101
            $o.Result | Should -BeTrue
            $o.Victim | Should -BeNullOrEmpty
            @($o.Killed).Count | Should -Be 0
            $m.FindTask(101).MemDie | Should -BeTrue
            $m.OomVictims | Should -Be 1
            $m.FindTask(100).GroupExiting | Should -BeFalse
        }
    }

    Context 'vm.panic_on_oom' {
        It 'panics for an unconstrained OOM with 1: Panic text, Result false, nobody killed' {
            $m = New-OomMachine -PanicOnOom 1
            Add-OomTask -Machine $m -Pid 100 -Name big -AnonRss 1GB
            $o = Invoke-OutOfMemory -Machine $m
            $o.Panic | Should -Be 'Out of memory: system-wide panic_on_oom is enabled'
            $o.Result | Should -BeFalse
            $o.Victim | Should -BeNullOrEmpty
            @($o.Killed).Count | Should -Be 0
            $o.Reason | Should -Be 'Kernel panic: Out of memory: system-wide panic_on_oom is enabled'
            (Get-OomLogText $o.Log)[-1] | Should -Be 'Kernel panic - not syncing: Out of memory: system-wide panic_on_oom is enabled'
            $o.Log[-1].Level | Should -Be 'Emerg'
            $m.PanicMessage | Should -Be 'Out of memory: system-wide panic_on_oom is enabled'
            $m.FindTask(100).GroupExiting | Should -BeFalse
        }

        It 'does not panic for a memory cgroup OOM with 1 and kills as usual' {
            $m = New-OomMachine -PanicOnOom 1
            New-OomCgroup -Machine $m -Path /app -MemoryMax 1GB | Out-Null
            Add-OomTask -Machine $m -Pid 100 -Name inapp -AnonRss 100MB -Cgroup /app
            $o = Invoke-OutOfMemory -Machine $m -Cgroup /app
            $o.Panic | Should -BeNullOrEmpty
            @($o.KilledPids) | Should -Be @(100)
        }

        It 'does not panic for a cpuset-constrained OOM with 1' {
            $m = New-OomMachine -PanicOnOom 1 -NumaNodeCount 2
            New-OomCpuset -Machine $m -Path /c0 -Mems 0 | Out-Null
            Add-OomTask -Machine $m -Pid 100 -Name pinned -AnonRss 100MB -Cpuset /c0
            $o = Invoke-OutOfMemory -Machine $m -Current 100
            $o.Constraint | Should -Be 'Cpuset'
            $o.Panic | Should -BeNullOrEmpty
        }

        It 'panics for every OOM with 2, a memory cgroup OOM too ("compulsory")' {
            $m = New-OomMachine -PanicOnOom 2
            New-OomCgroup -Machine $m -Path /app -MemoryMax 1GB | Out-Null
            Add-OomTask -Machine $m -Pid 100 -Name inapp -AnonRss 100MB -Cgroup /app
            $o = Invoke-OutOfMemory -Machine $m -Cgroup /app
            $o.Panic | Should -Be 'Out of memory: compulsory panic_on_oom is enabled'
            $o.Result | Should -BeFalse
            @($o.Killed).Count | Should -Be 0
        }

        It 'refuses further OOMs on a machine that has panicked with InvalidState (InvalidOperation)' {
            $m = New-OomMachine -PanicOnOom 1
            Add-OomTask -Machine $m -Pid 100 -Name big -AnonRss 1GB
            Invoke-OutOfMemory -Machine $m | Out-Null
            $before = Get-OomMachineState $m
            $err = { Invoke-OutOfMemory -Machine $m -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidState,OomTools.Commands.InvokeOutOfMemoryCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
            $err.Exception.Message | Should -BeLike '*panic*'
            Get-OomMachineState $m | Should -Be $before
        }
    }

    Context 'NUMA constraints' {
        BeforeEach {
            # Two nodes of 2097152 pages, 1GB = 262144 pages of swap.
            $m = New-OomMachine -NumaNodeCount 2 -Swap 1GB
            New-OomCpuset -Machine $m -Path /c0 -Mems 0 | Out-Null
            New-OomCpuset -Machine $m -Path /c1 -Mems 1 | Out-Null
            Add-OomTask -Machine $m -Pid 100 -Name anywhere -AnonRss 1GB
            Add-OomTask -Machine $m -Pid 101 -Name on0 -AnonRss 512MB -Cpuset /c0
            Add-OomTask -Machine $m -Pid 102 -Name on1 -AnonRss 2GB -Cpuset /c1
            Add-OomTask -Machine $m -Pid 103 -Name bound1 -AnonRss 3GB -MempolicyNodes 1
        }

        It 'limits a hardwall allocation from a cpuset to tasks whose mems meet it (CONSTRAINT_CPUSET)' {
            $o = Invoke-OutOfMemory -Machine $m -Current 101
            $o.Constraint | Should -Be 'Cpuset'
            $o.TotalPages.Value | Should -Be 2359296      # swap 262144 + node 0 2097152
            $o.Victim.Pid | Should -Be 103                # the root cpuset's mems 0-1 meet node 0
            ($o.Candidates | Where-Object Pid -EQ 102).Reason | Should -Be 'OutsideNodes'
            Get-OomLogText $o.Log | Should -Contain 'oom-kill:constraint=CONSTRAINT_CPUSET,nodemask=(null),cpuset=c0,mems_allowed=0,global_oom,task_memcg=/,task=bound1,pid=103,uid=0'
        }

        It 'limits a mempolicy OOM to tasks whose MPOL_BIND nodes meet the nodemask (CONSTRAINT_MEMORY_POLICY)' {
            $o = Invoke-OutOfMemory -Machine $m -Nodemask 0
            $o.Constraint | Should -Be 'MemoryPolicy'
            $o.TotalPages.Value | Should -Be 2359296
            $o.Victim.Pid | Should -Be 102
            ($o.Candidates | Where-Object Pid -EQ 103).Reason | Should -Be 'OutsideNodes'
            Get-OomLogText $o.Log | Should -Contain 'oom-kill:constraint=CONSTRAINT_MEMORY_POLICY,nodemask=0,cpuset=/,mems_allowed=0-1,global_oom,task_memcg=/,task=on1,pid=102,uid=0'
        }

        It 'is unconstrained for a nodemask that covers every memory node' {
            $o = Invoke-OutOfMemory -Machine $m -Nodemask '0-1'
            $o.Constraint | Should -Be 'None'
            $o.TotalPages.Value | Should -Be 4456448      # 4194304 + 262144
            $o.Victim.Pid | Should -Be 103
        }

        It 'lets a softwall allocation (GFP_KERNEL) use the nearest hardwall ancestor''s nodes: unconstrained' {
            (Invoke-OutOfMemory -Machine $m -Current 101 -GfpMask GFP_KERNEL -WhatIf).Constraint | Should -Be 'None'
        }

        It 'limits a softwall allocation from a -Hardwall cpuset to its own nodes' {
            New-OomCpuset -Machine $m -Path /h0 -Mems 0 -Hardwall | Out-Null
            Add-OomTask -Machine $m -Pid 104 -Name walled -AnonRss 1MB -Cpuset /h0
            (Invoke-OutOfMemory -Machine $m -Current 104 -GfpMask GFP_KERNEL -WhatIf).Constraint | Should -Be 'Cpuset'
        }

        It 'takes the allocating cpuset from -Cpuset' {
            $o = Invoke-OutOfMemory -Machine $m -Cpuset /c1
            $o.Constraint | Should -Be 'Cpuset'
            ($o.Candidates | Where-Object Pid -EQ 101).Reason | Should -Be 'OutsideNodes'
        }
    }

    Context 'the printk ratelimit of oom_kill_process (10 reports per 5 s)' {
        It 'leaves out the header and summary of the 11th report in the same 5 s but still prints "Killed process"' {
            $m = New-OomMachine
            1..11 | ForEach-Object { Add-OomTask -Machine $m -Pid (100 + $_) -Name "t$_" -AnonRss ($_ * 1MB) }
            $outcomes = foreach ($i in 1..11) {
                $o = Invoke-OutOfMemory -Machine $m
                Remove-OomTask -Machine $m -InputObject $o.Victim
                $o
            }
            $outcomes[9].Log[0].Text | Should -BeLike '*invoked oom-killer*'
            $eleventh = Get-OomLogText $outcomes[10].Log
            $eleventh | Should -Be @('Out of memory: Killed process 101 (t1) total-vm:1024kB, anon-rss:1024kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0')
        }

        It 'reports "oom_kill_process: N callbacks suppressed" once the 5 s window has passed' {
            $m = New-OomMachine
            1..12 | ForEach-Object { Add-OomTask -Machine $m -Pid (100 + $_) -Name "t$_" -AnonRss ($_ * 1MB) }
            foreach ($i in 1..11) {
                $o = Invoke-OutOfMemory -Machine $m
                Remove-OomTask -Machine $m -InputObject $o.Victim
            }
            $m.Clock.Advance([timespan]::FromSeconds(6))      # 1500 jiffies > 5 * HZ(250)
            $twelfth = Invoke-OutOfMemory -Machine $m
            $twelfth.Log[0].Text | Should -Be 'oom_kill_process: 1 callbacks suppressed'
            $twelfth.Log[0].Level | Should -Be 'Warning'
            $twelfth.Log[1].Text | Should -BeLike '*invoked oom-killer*'
        }
    }

    Context '-WhatIf' {
        BeforeEach {
            $m = New-OomMachine -Name box
            New-OomCgroup -Machine $m -Path /svc -OomGroup | Out-Null
            Add-OomTask -Machine $m -Pid 100 -Name small -AnonRss 100MB -Cgroup /svc
            Add-OomTask -Machine $m -Pid 101 -Name big -AnonRss 1GB -Cgroup /svc
            Add-OomTask -Machine $m -Pid 102 -Name parent -AnonRss 512MB
            Add-OomTask -Machine $m -Pid 103 -Name child -SharesMemoryWith 102
            $before = Get-OomMachineState $m
        }

        It 'returns the outcome the real call would have' {
            $o = Invoke-OutOfMemory -Machine $m -WhatIf
            $o.Victim.Pid | Should -Be 101
            $o.VictimPoints | Should -Be 262144
            @($o.KilledPids) | Should -Be @(101, 100)
            Get-OomLogText $o.Log | Should -Contain 'Tasks in /svc are going to be killed due to memory.oom.group set'
        }

        It 'leaves the machine''s tasks, log, victims and counters unchanged' {
            Invoke-OutOfMemory -Machine $m -WhatIf | Out-Null
            Get-OomMachineState $m | Should -Be $before
            $m.Log.Count | Should -Be 0
            $m.OomVictims | Should -Be 0
            $m.OomKillCount | Should -Be 0
            $m.Tasks | ForEach-Object { $_.GroupExiting | Should -BeFalse }
        }

        It 'decides exactly as the real call then does' {
            $whatIf = Invoke-OutOfMemory -Machine $m -WhatIf
            $real = Invoke-OutOfMemory -Machine $m
            @($real.KilledPids) | Should -Be @($whatIf.KilledPids)
            Get-OomLogText $real.Log | Should -Be (Get-OomLogText $whatIf.Log)
        }

        It 'leaves the machine document byte for byte as it was, with a victim in flight and a memcg OOM' {
            $null = Invoke-OutOfMemory -Machine $m
            # The victims have exited; their oom_reaper timers are still queued.
            Step-OomTime -Machine $m -Milliseconds 20 | Out-Null
            $json = Export-OomMachine -Machine $m
            $log = @(Get-OomLog -Machine $m -Raw)
            @((Invoke-OutOfMemory -Machine $m -WhatIf).KilledPids) | Should -Be @(103)
            $null = Invoke-OutOfMemory -Machine $m -Cgroup /svc -WhatIf
            Export-OomMachine -Machine $m | Should -BeExactly $json
            @(Get-OomLog -Machine $m -Raw) | Should -Be $log
        }

        It 'does not panic the machine with vm.panic_on_oom set' {
            $p = New-OomMachine -PanicOnOom 1
            Add-OomTask -Machine $p -Pid 100 -Name big -AnonRss 1GB
            $o = Invoke-OutOfMemory -Machine $p -WhatIf
            $o.Panic | Should -Be 'Out of memory: system-wide panic_on_oom is enabled'
            $p.PanicMessage | Should -BeNullOrEmpty
            (Invoke-OutOfMemory -Machine $p -WhatIf).Panic | Should -Not -BeNullOrEmpty
        }
    }

    Context 'errors' {
        BeforeEach {
            $m = New-OomMachine -Name box
            Add-OomTask -Machine $m -Pid 100 -Name worker -AnonRss 1GB
            $before = Get-OomMachineState $m
        }

        It 'refuses a memory cgroup that does not exist with CgroupNotFound and kills nothing' {
            $err = { Invoke-OutOfMemory -Machine $m -Cgroup /nope -ErrorAction Stop } |
                Should -Throw -ErrorId 'CgroupNotFound,OomTools.Commands.InvokeOutOfMemoryCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -BeLike '*/nope*'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses a -Current pid that does not exist with TaskNotFound' {
            $err = { Invoke-OutOfMemory -Machine $m -Current 999 -ErrorAction Stop } |
                Should -Throw -ErrorId 'TaskNotFound,OomTools.Commands.InvokeOutOfMemoryCommand' -PassThru
            $err.Exception.Message | Should -Match '\b999\b'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses a cpuset that does not exist with CpusetNotFound' {
            { Invoke-OutOfMemory -Machine $m -Cpuset /nope -ErrorAction Stop } |
                Should -Throw -ErrorId 'CpusetNotFound,OomTools.Commands.InvokeOutOfMemoryCommand'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses a gfp mask it cannot read (<Text>) with InvalidFormat, naming the text' -ForEach @(
            @{ Text = 'GFP_BOGUS' }
            @{ Text = 'GFP_KERNEL|__GFP_NOPE' }
            @{ Text = '0xZZ' }
        ) {
            $err = { Invoke-OutOfMemory -Machine $m -GfpMask $Text -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidFormat,OomTools.Commands.InvokeOutOfMemoryCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $bad = ($Text -split '\|')[-1]
            $err.Exception.Message | Should -BeLike "*$bad*"
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses a nodemask it cannot read with InvalidFormat, naming the text' {
            $err = { Invoke-OutOfMemory -Machine $m -Nodemask 'x-y' -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidFormat,OomTools.Commands.InvokeOutOfMemoryCommand' -PassThru
            $err.Exception.Message | Should -BeLike "*'x-y'*"
            Get-OomMachineState $m | Should -Be $before
        }

        It 'writes the refusal as a non-terminating error and no outcome' {
            $out = Invoke-OutOfMemory -Machine $m -GfpMask GFP_BOGUS -ErrorVariable ev -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $ev.Count | Should -Be 1
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses an order outside -1..10 with ParameterArgumentValidationError' {
            { Invoke-OutOfMemory -Machine $m -Order 11 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.InvokeOutOfMemoryCommand'
            { Invoke-OutOfMemory -Machine $m -Order -2 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.InvokeOutOfMemoryCommand'
            Get-OomMachineState $m | Should -Be $before
        }
    }
}

Describe 'Invoke-OutOfMemory -Report: what the rebuild inferred (issue 9)' {
    BeforeAll {
        $Shapes = Join-Path $RepoRoot 'tests/fixtures/kernel-logs/shapes'
    }

    It 'replays a vfork pair to the parent the kernel chose, killing the child with it, and keeps that it disagreed before' {
        $r = Import-OomReport -LiteralPath (Join-Path $Shapes 'vfork-1003.log')
        $o = $r | Invoke-OutOfMemory -WhatIf
        $o.AgreesWithKernel | Should -BeTrue
        $o.AgreedBeforeInference | Should -BeFalse
        @($o.Inferred | Where-Object { $_ -notlike "the cgroup's charged shmem*" }).Count | Should -Be 1
        $o.Victim.Pid | Should -Be 15950
        @($o.AllKilled | ForEach-Object Pid | Sort-Object) | Should -Be @(15950, 15953)
        ($o.Candidates | Where-Object Pid -EQ 15953).Reason | Should -Be 'InVfork'
    }

    It 'gives the victim''s thread beside its pid for an exited group leader' {
        $r = Import-OomReport -LiteralPath (Join-Path $Shapes 'exitleader-1001.log')
        $o = $r | Invoke-OutOfMemory -WhatIf
        $o.AgreesWithKernel | Should -BeTrue
        $o.AgreedBeforeInference | Should -BeTrue
        $o.Victim.Pid | Should -Be 18262
        $o.VictimTid | Should -Be 18268
        $o.KernelChoiceTid | Should -Be 18268
    }
}
