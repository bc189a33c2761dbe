BeforeAll {
    . $PSScriptRoot/common.ps1

    function New-Fleet {
        # 16GB, no swap: totalpages = 4194304, one adj point = 4194 pages. Global points:
        #   100 db            4GB, adj -500           1048576 - 2097000 = -1048424
        #   200 web           1GB + 256MB file + 4MB page tables: 262144 + 65536 + 1024 = 328704
        #   300 batch         2GB + 512MB swap (/batch) 524288 + 131072 = 655360
        #   301 batch-helper  shares 300's mm (/batch)  655360, the later of the tie
        #   400 cache         256MB, adj 300            65536 + 1258200 = 1323736
        #   500 batch-2       64MB (/batch)             16384
        #   600 pinned        512MB, adj -1000          never
        $m = New-OomMachine -Name fleet
        New-OomCgroup -Machine $m -Path /batch -MemoryMax 4GB | Out-Null
        Add-OomTask -Machine $m -Pid 1 -Name systemd -Rss 12MB
        Add-OomTask -Machine $m -Pid 100 -Name db -AnonRss 4GB -OomScoreAdj -500
        Add-OomTask -Machine $m -Pid 200 -Name web -AnonRss 1GB -FileRss 256MB -PageTableBytes 4MB
        Add-OomTask -Machine $m -Pid 300 -Name batch -AnonRss 2GB -Swap 512MB -Cgroup /batch
        Add-OomTask -Machine $m -Pid 301 -Name batch-helper -SharesMemoryWith 300 -Cgroup /batch
        Add-OomTask -Machine $m -Pid 400 -Name cache -AnonRss 256MB -OomScoreAdj 300
        Add-OomTask -Machine $m -Pid 500 -Name batch-2 -AnonRss 64MB -Cgroup /batch
        Add-OomTask -Machine $m -Pid 600 -Name pinned -AnonRss 512MB -OomScoreAdj -1000
        $m
    }
}

Describe 'Get-OomKillOrder' {
    BeforeEach { $m = New-Fleet }

    Context 'a global OOM, again and again' {
        It 'returns one KillOrderStep per OOM, in the order the kernel would kill' {
            $steps = @(Get-OomKillOrder -Machine $m)
            $steps[0] | Should -BeOfType ([OomTools.Engine.Audit.KillOrderStep])
            @($steps.Pid) | Should -Be @(400, 301, 200, 500, 100)
            @($steps.Step) | Should -Be @(1, 2, 3, 4, 5)
            @($steps.Name) | Should -Be @('cache', 'batch-helper', 'web', 'batch-2', 'db')
            @($steps.Points) | Should -Be @(1323736, 655360, 328704, 16384, -1048424)
        }

        It 'kills the processes sharing the victim''s mm in the same step, and counts their memory once' {
            $step = (Get-OomKillOrder -Machine $m)[1]
            @($step.Killed) | Should -Be @(301, 300)
            $step.Freed.Value | Should -Be 655360        # 524288 + 131072 swap, one mm
            $step.Cgroup | Should -Be '/batch'
        }

        It 'adds up the pages freed (rss + swap + page tables)' {
            $steps = @(Get-OomKillOrder -Machine $m)
            @($steps | ForEach-Object { $_.Freed.Value }) | Should -Be @(65536, 655360, 328704, 16384, 1048576)
            @($steps | ForEach-Object { $_.TotalFreed.Value }) | Should -Be @(65536, 720896, 1049600, 1065984, 2114560)
        }

        It 'takes the machine from the pipeline' {
            @(($m | Get-OomKillOrder).Pid) | Should -Be @(400, 301, 200, 500, 100)
        }

        It 'leaves the machine as it was' {
            $before = Get-OomMachineState -Machine $m
            Get-OomKillOrder -Machine $m | Out-Null
            Get-OomMachineState -Machine $m | Should -Be $before
        }
    }

    Context '-Count and -Free' {
        It '-Count 2 stops after two OOMs (three processes)' {
            $steps = @(Get-OomKillOrder -Machine $m -Count 2)
            @($steps.Pid) | Should -Be @(400, 301)
            @($steps.Killed).Count | Should -Be 3
        }

        It '-Free <Bytes> stops after <Steps> OOM(s)' -ForEach @(
            @{ Bytes = 1; Steps = 1 }                   # one page
            @{ Bytes = 256MB; Steps = 1 }               # 65536 pages: cache alone
            @{ Bytes = 2GB; Steps = 2 }                 # 524288 pages: 65536 + 655360
            @{ Bytes = 2952790016; Steps = 2 }          # exactly 720896 pages
            @{ Bytes = 2952790017; Steps = 3 }          # one byte more: a page more
            @{ Bytes = 1TB; Steps = 5 }                 # more than there is: everything killable
        ) {
            @(Get-OomKillOrder -Machine $m -Free $Bytes).Count | Should -Be $Steps
        }

        It '-Count and -Free together stop at whichever comes first' {
            @(Get-OomKillOrder -Machine $m -Count 4 -Free 2GB).Count | Should -Be 2
            @(Get-OomKillOrder -Machine $m -Count 1 -Free 2GB).Count | Should -Be 1
        }
    }

    Context 'the OOM domain' {
        It '-Cgroup kills only inside the memory cgroup' {
            $steps = @(Get-OomKillOrder -Machine $m -Cgroup /batch)
            @($steps.Pid) | Should -Be @(301, 500)
            @($steps.Cgroup | Select-Object -Unique) | Should -Be @('/batch')
            $steps[1].TotalFreed.Value | Should -Be 671744     # 655360 + 16384
        }

        It '-Nodemask skips processes bound to other nodes' {
            $n = New-OomMachine -NumaNodeMemory 8GB, 8GB
            Add-OomTask -Machine $n -Pid 1 -Name systemd -Rss 12MB
            Add-OomTask -Machine $n -Pid 100 -Name pinned0 -Rss 4GB -MempolicyNodes 0
            Add-OomTask -Machine $n -Pid 200 -Name pinned1 -Rss 1GB -MempolicyNodes 1
            Add-OomTask -Machine $n -Pid 300 -Name roamer -Rss 512MB
            # pinned0 is the biggest, but bound to node 0 it frees nothing on node 1. After the other two, nothing
            # is left to kill in the domain.
            @((Get-OomKillOrder -Machine $n -Nodemask 1).Pid) | Should -Be @(200, 300)
            @((Get-OomKillOrder -Machine $n).Pid) | Should -Be @(100, 200, 300)
        }

        It 'a global OOM without __GFP_FS kills nothing' {
            @(Get-OomKillOrder -Machine $m -GfpMask GFP_NOFS).Count | Should -Be 0
        }

        It 'with vm.oom_kill_allocating_task, -Current dies first, without points' {
            $a = New-OomMachine -OomKillAllocatingTask
            Add-OomTask -Machine $a -Pid 1 -Name systemd -Rss 12MB
            Add-OomTask -Machine $a -Pid 10 -Name big -Rss 4GB
            Add-OomTask -Machine $a -Pid 20 -Name small -Rss 64MB
            $steps = @(Get-OomKillOrder -Machine $a -Current 20 -Count 2)
            $steps[0].Pid | Should -Be 20
            $steps[0].Points | Should -BeNullOrEmpty
            $steps[1].Pid | Should -Be 10
            $steps[1].Points | Should -Be 1048576
        }
    }

    Context 'errors' {
        It 'an unknown cgroup is CgroupNotFound' {
            $out = Get-OomKillOrder -Machine $m -Cgroup /nope -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -Be 'CgroupNotFound,OomTools.Commands.GetOomKillOrderCommand'
        }

        It 'a gfp mask that does not parse is InvalidFormat' {
            Get-OomKillOrder -Machine $m -GfpMask GFP_BOGUS -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'InvalidFormat,OomTools.Commands.GetOomKillOrderCommand'
        }

        It '-Count and -Free must be at least 1' {
            { Get-OomKillOrder -Machine $m -Count 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.GetOomKillOrderCommand'
            { Get-OomKillOrder -Machine $m -Free 0 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.GetOomKillOrderCommand'
        }
    }

    Context 'one name per idea: -Kills, as Test-OomProtection and Export-OomAuditReport (issue 11)' {
        It '-Kills stops after that many OOM kills; -Count is its alias' {
            $m = New-OomMachine -Memory 16GB
            100..104 | ForEach-Object { Add-OomTask -Machine $m -Pid $_ -Name "p$_" -AnonRss (($_ - 99) * 100MB) }
            @(Get-OomKillOrder -Machine $m -Kills 2).Pid | Should -Be @(104, 103)
            @(Get-OomKillOrder -Machine $m -Count 2).Pid | Should -Be @(104, 103)
            (Get-Command Get-OomKillOrder).Parameters['Kills'].Aliases | Should -Contain 'Count'
            foreach ($name in 'Get-OomKillOrder', 'Test-OomProtection', 'Export-OomAuditReport') {
                (Get-Command $name).Parameters.ContainsKey('Kills') | Should -BeTrue -Because "$name names the number of OOM kills -Kills"
            }
        }
    }
}
