BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Get-OomBadness' {

    Context 'oom_badness: rss + swap + page tables + oom_score_adj * (totalpages / 1000)' {
        BeforeAll {
            # 16GB RAM + 4GB swap: totalpages = 4194304 + 1048576 = 5242880, totalpages / 1000 = 5242.
            $m = New-OomMachine -Memory 16GB -Swap 4GB
            Add-OomTask -Machine $m -Pid 100 -Name mixed -AnonRss 1GB -FileRss 256MB -ShmemRss 64MB -Swap 128MB -PageTableBytes 1MB -OomScoreAdj 100
            $c = Get-OomBadness -Machine $m -Pid 100
        }

        It 'returns an OomCandidate' {
            $c | Should -BeOfType ([OomTools.Engine.Killer.OomCandidate])
        }

        It 'adds up the parts in pages' {
            $c.RssPages | Should -Be 344064            # 262144 anon + 65536 file + 16384 shmem
            $c.SwapPages | Should -Be 32768            # 128MB
            $c.PageTablePages | Should -Be 256         # 1MB / 4096
            $c.TotalPages | Should -Be 5242880
            $c.OomScoreAdj | Should -Be 100
            $c.AdjPages | Should -Be 524200            # 100 * 5242
        }

        It 'scores 344064 + 32768 + 256 + 524200 = 901288 points' {
            $c.Points | Should -Be 901288
            $c.Killable | Should -BeTrue
            $c.Reason | Should -Be 'None'
            $c.Rank | Should -Be 1
        }

        It 'shows /proc/PID/oom_score = (1000 + points*1000/totalpages) * 2/3 = 780' {
            # 901288000 / 5242880 = 171 (truncated); (1000 + 171) * 2 / 3 = 780
            $c.OomScore | Should -Be 780
        }
    }

    Context 'oom_score_adj' {
        BeforeAll {
            # 16GB, no swap: totalpages = 4194304, totalpages / 1000 = 4194.
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name plus -AnonRss 1GB -OomScoreAdj 500
            Add-OomTask -Machine $m -Pid 101 -Name minus -AnonRss 1GB -OomScoreAdj -500
            Add-OomTask -Machine $m -Pid 102 -Name tinymax -AnonRss 100KB -OomScoreAdj 1000
            Add-OomTask -Machine $m -Pid 103 -Name tiny -AnonRss 100KB
            Add-OomTask -Machine $m -Pid 104 -Name never -AnonRss 8GB -OomScoreAdj -1000
            $all = Get-OomBadness -Machine $m
            $by = @{}; $all | ForEach-Object { $by[$_.Pid] = $_ }
        }

        It 'adds adj * 4194 pages: +500 gives 262144 + 2097000 = 2359144' {
            $by[100].Points | Should -Be 2359144
            $by[100].AdjPages | Should -Be 2097000
            $by[100].OomScore | Should -Be 1041     # (1000 + 562) * 2 / 3
        }

        It 'can make the points negative and still leave the process killable: -500 gives -1834856' {
            $by[101].Points | Should -Be -1834856
            $by[101].Killable | Should -BeTrue
            $by[101].OomScore | Should -Be 375      # (1000 - 437) * 2 / 3
        }

        It 'reads oom_score 666 for a tiny process with adj 0 and 1332 with adj 1000' {
            $by[103].Points | Should -Be 25         # 100KB = 25 pages
            $by[103].OomScore | Should -Be 666
            $by[102].Points | Should -Be 4194025    # 25 + 1000 * 4194
            $by[102].OomScore | Should -Be 1332
        }

        It 'never chooses oom_score_adj -1000, however large: no points, oom_score 0, rank 0' {
            $by[104].Killable | Should -BeFalse
            $by[104].Points | Should -BeNullOrEmpty
            $by[104].Reason | Should -Be 'OomScoreAdjMin'
            $by[104].OomScore | Should -Be 0
            $by[104].Rank | Should -Be 0
        }

        It 'ranks the killable processes by points, highest first, and lists the unkillable last' {
            @($all | ForEach-Object Pid) | Should -Be @(102, 100, 103, 101, 104)
            @($all | ForEach-Object Rank) | Should -Be @(1, 2, 3, 4, 0)
        }

        It 'gives oom_score_adj no effect when totalpages is under 1000 (totalpages / 1000 = 0)' {
            $small = New-OomMachine -Memory 2MB      # 512 pages
            Add-OomTask -Machine $small -Pid 100 -Name a -AnonRss 100KB -OomScoreAdj 1000
            $s = Get-OomBadness -Machine $small
            $s.AdjPages | Should -Be 0
            $s.Points | Should -Be 25
        }
    }

    Context 'page tables' {
        It 'counts whole pages of page tables only (mm_pgtables_bytes / PAGE_SIZE)' {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name a -PageTableBytes 4095
            Add-OomTask -Machine $m -Pid 101 -Name b -PageTableBytes 8192
            (Get-OomBadness -Machine $m -Pid 100).Points | Should -Be 0
            (Get-OomBadness -Machine $m -Pid 101).Points | Should -Be 2
        }
    }

    Context 'ties and order' {
        It 'ranks the later process in task order first among equal points, as oom_evaluate_task keeps the later one' {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 900 -Name first -AnonRss 1GB
            Add-OomTask -Machine $m -Pid 100 -Name second -AnonRss 1GB
            $all = Get-OomBadness -Machine $m
            @($all | ForEach-Object Pid) | Should -Be @(100, 900)
            @($all | ForEach-Object Order) | Should -Be @(1, 0)
        }
    }

    Context 'processes that are never chosen' {
        BeforeAll {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 1 -Name systemd -AnonRss 1GB
            Add-OomTask -Machine $m -Pid 2 -Name kthreadd -KernelThread
            Add-OomTask -Machine $m -Pid 10 -Name vforkchild -AnonRss 1GB -InVfork
            Add-OomTask -Machine $m -Pid 11 -Name reaped -AnonRss 1GB -OomSkip
            Add-OomTask -Machine $m -Pid 12 -Name nomm -AnonRss 1GB -Threads 2 -DetachedThreads 2
            Add-OomTask -Machine $m -Pid 20 -Name normal -AnonRss 1MB
            $by = @{}; Get-OomBadness -Machine $m | ForEach-Object { $by[$_.Pid] = $_ }
        }

        It 'says why: <Reason> for pid <TaskPid>' -ForEach @(
            @{ TaskPid = 1; Reason = 'GlobalInit' }
            @{ TaskPid = 2; Reason = 'KernelThread' }
            @{ TaskPid = 10; Reason = 'InVfork' }
            @{ TaskPid = 11; Reason = 'MmOomSkip' }
            @{ TaskPid = 12; Reason = 'NoMm' }
        ) {
            $by[$TaskPid].Reason | Should -Be $Reason
            $by[$TaskPid].Killable | Should -BeFalse
            $by[$TaskPid].Rank | Should -Be 0
            $by[$TaskPid].OomScore | Should -Be 0
        }

        It 'ranks the only killable process first' {
            $by[20].Rank | Should -Be 1
        }
    }

    Context 'an OOM-origin task (swapoff, KSM)' {
        It 'scores LONG_MAX and ranks first whatever its size' {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name big -AnonRss 8GB
            Add-OomTask -Machine $m -Pid 101 -Name swapoff -AnonRss 1MB -OomOrigin
            $first = Get-OomBadness -Machine $m | Select-Object -First 1
            $first.Pid | Should -Be 101
            $first.Points | Should -Be ([long]::MaxValue)
        }
    }

    Context 'an earlier OOM victim' {
        It 'passes over a reaped victim before the OOM-origin test: it is not ranked first with LONG_MAX' {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name big -AnonRss 1GB
            Add-OomTask -Machine $m -Pid 101 -Name swapoff -AnonRss 1MB -OomOrigin -OomVictim -OomSkip
            $by = @{}; Get-OomBadness -Machine $m | ForEach-Object { $by[$_.Pid] = $_ }
            $by[101].Reason | Should -Be 'ReapedVictim'
            $by[101].Rank | Should -Be 0
            $by[100].Rank | Should -Be 1
            (Invoke-OutOfMemory -Machine $m).Victim.Pid | Should -Be 100
        }

        It 'marks a victim still exiting, which would stop the scan, and ranks the others' {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name big -AnonRss 1GB
            Add-OomTask -Machine $m -Pid 101 -Name dying -AnonRss 1MB -OomVictim
            $by = @{}; Get-OomBadness -Machine $m | ForEach-Object { $by[$_.Pid] = $_ }
            $by[101].Reason | Should -Be 'VictimExiting'
            $by[101].Killable | Should -BeFalse
            $by[101].OomScore | Should -Be 666
            $by[100].Rank | Should -Be 1
        }
    }

    Context 'OOM domains' {
        BeforeAll {
            # Swap 2GB = 524288 pages; RAM 16GB = 4194304 pages; global totalpages 4718592.
            $m = New-OomMachine -Swap 2GB
            New-OomCgroup -Machine $m -Path /app -MemoryMax 1GB | Out-Null
            New-OomCgroup -Machine $m -Path /app/sub | Out-Null
            New-OomCgroup -Machine $m -Path /lim -MemoryMax 1GB -SwapMax 512MB | Out-Null
            Add-OomTask -Machine $m -Pid 100 -Name outside -AnonRss 4GB
            Add-OomTask -Machine $m -Pid 101 -Name inapp -AnonRss 100MB -Cgroup /app -OomScoreAdj 100
            Add-OomTask -Machine $m -Pid 102 -Name insub -AnonRss 200MB -Cgroup /app/sub
            Add-OomTask -Machine $m -Pid 103 -Name inlim -AnonRss 1MB -Cgroup /lim
        }

        It 'scores only the memory cgroup subtree with -Cgroup, totalpages = memory.max + min(swap.max, total swap)' {
            $all = Get-OomBadness -Machine $m -Cgroup /app
            # unlimited swap.max: 262144 + min(PAGE_COUNTER_MAX, 524288) = 786432; adj 100 * 786 = 78600
            @($all | ForEach-Object Pid) | Should -Be @(101, 102)
            $all[0].TotalPages | Should -Be 786432
            $all[0].Points | Should -Be 104200       # 25600 + 78600
            $all[1].Points | Should -Be 51200
        }

        It 'caps the swap part at swap.max: memory.max 1GB + swap.max 512MB = 393216 pages' {
            (Get-OomBadness -Machine $m -Cgroup /lim).TotalPages | Should -Be 393216
        }

        It 'keeps /proc oom_score scaled to the global totalpages inside a memory cgroup' {
            # 51200 * 1000 / 4718592 = 10; (1000 + 10) * 2 / 3 = 673
            (Get-OomBadness -Machine $m -Cgroup /app -Pid 102).OomScore | Should -Be 673
        }

        It 'keeps the ranks of the whole domain when -Pid or -Name selects part of it' {
            # Global domain, totalpages 4718592 (adj unit 4718): outside 1048576, inapp 25600 + 471800 = 497400,
            # insub 51200, inlim 256.
            (Get-OomBadness -Machine $m -Pid 102).Rank | Should -Be 3
            @(Get-OomBadness -Machine $m -Name 'in*' | ForEach-Object Pid) | Should -Be @(101, 102, 103)
            @(Get-OomBadness -Machine $m -Name 'in*' | ForEach-Object Rank) | Should -Be @(2, 3, 4)
        }
    }

    Context 'NUMA domains' {
        BeforeAll {
            # Two nodes of 2097152 pages, 1GB (262144 pages) of swap.
            $m = New-OomMachine -NumaNodeCount 2 -Swap 1GB
            New-OomCpuset -Machine $m -Path /c0 -Mems 0 | Out-Null
            New-OomCpuset -Machine $m -Path /c1 -Mems 1 | Out-Null
            Add-OomTask -Machine $m -Pid 100 -Name anywhere -AnonRss 1GB
            Add-OomTask -Machine $m -Pid 101 -Name on0 -AnonRss 512MB -Cpuset /c0
            Add-OomTask -Machine $m -Pid 102 -Name on1 -AnonRss 2GB -Cpuset /c1 -MempolicyNodes 1
        }

        It 'passes over tasks whose cpuset does not meet the -Cpuset nodes; totalpages = swap + those nodes' {
            $all = Get-OomBadness -Machine $m -Cpuset /c0
            @($all | ForEach-Object Pid) | Should -Be @(100, 101, 102)
            $all[2].Reason | Should -Be 'OutsideNodes'
            $all[0].TotalPages | Should -Be 2359296    # 262144 + 2097152
        }

        It 'shows the /proc oom_score of a task outside the nodes, as proc_oom_score does (it knows no OOM nodes)' {
            # global totalpages 4194304 + 262144 = 4456448; 524288 * 1000 / 4456448 = 117; (1000 + 117) * 2 / 3 = 744
            $c = Get-OomBadness -Machine $m -Cpuset /c0 -Pid 102
            $c.Reason | Should -Be 'OutsideNodes'
            $c.Points | Should -BeNullOrEmpty
            $c.OomScore | Should -Be 744
        }

        It 'passes over tasks bound to other nodes under a -Nodemask (mempolicy) domain' {
            $all = Get-OomBadness -Machine $m -Nodemask 0
            ($all | Where-Object Pid -EQ 102).Reason | Should -Be 'OutsideNodes'
            ($all | Where-Object Pid -EQ 100).TotalPages | Should -Be 2359296
        }
    }

    Context 'pipeline and side effects' {
        It 'takes the machine from the pipeline' {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name a -AnonRss 1GB
            ($m | Get-OomBadness).Points | Should -Be 262144
        }

        It 'changes nothing on the machine' {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name a -AnonRss 1GB
            $before = Get-OomMachineState $m
            Get-OomBadness -Machine $m | Out-Null
            Get-OomMachineState $m | Should -Be $before
        }
    }

    Context 'errors' {
        BeforeAll {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name a -AnonRss 1GB
        }

        It 'reports a memory cgroup that does not exist as CgroupNotFound' {
            $err = { Get-OomBadness -Machine $m -Cgroup /nope -ErrorAction Stop } |
                Should -Throw -ErrorId 'CgroupNotFound,OomTools.Commands.GetOomBadnessCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -BeLike '*/nope*'
        }

        It 'reports a cpuset that does not exist as CpusetNotFound' {
            { Get-OomBadness -Machine $m -Cpuset /nope -ErrorAction Stop } |
                Should -Throw -ErrorId 'CpusetNotFound,OomTools.Commands.GetOomBadnessCommand'
        }

        It 'reports a node list it cannot parse as InvalidFormat, naming the text' {
            $err = { Get-OomBadness -Machine $m -Nodemask '3-1' -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidFormat,OomTools.Commands.GetOomBadnessCommand' -PassThru
            $err.Exception.Message | Should -BeLike "*'3-1'*"
        }

        It 'writes the error as non-terminating and no candidates' {
            $out = Get-OomBadness -Machine $m -Cgroup /nope -ErrorVariable ev -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $ev.Count | Should -Be 1
        }
    }
}
