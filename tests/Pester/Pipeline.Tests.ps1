BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Pipelines across the OomTools cmdlets' {

    Context 'Import-Csv | Add-OomTask' {
        BeforeEach {
            $m = New-OomMachine -Name box
            New-OomCgroup -Machine $m -Path /app -MemoryMax 1GB | Out-Null
        }

        It 'adds one process per row, binding Pid, Name, AnonRss, OomScoreAdj and Cgroup columns' {
            $csv = Join-Path $TestDrive 'tasks.csv'
            @(
                'Pid,Name,AnonRss,OomScoreAdj,Cgroup'
                '100,web,1073741824,100,/app'
                '101,db,2147483648,-500,/'
                '102,cache,536870912,0,/app'
            ) | Set-Content -Path $csv -Encoding utf8
            Import-Csv $csv | Add-OomTask -Machine $m
            @($m.Tasks | ForEach-Object Pid) | Should -Be @(100, 101, 102)
            $web = $m.FindTask(100)
            $web.Comm | Should -Be 'web'
            $web.AnonPages.Value | Should -Be 262144
            [int]$web.OomScoreAdj | Should -Be 100
            $web.Cgroup | Should -Be '/app'
            $m.FindTask(101).AnonPages.Value | Should -Be 524288
            [int]$m.FindTask(101).OomScoreAdj | Should -Be -500
            $m.FindTask(101).Cgroup | Should -Be '/'
            @($m.FindCgroup('/app').Tasks | ForEach-Object Pid) | Should -Be @(100, 102)
        }

        It 'binds an AnonPages column as pages' {
            $csv = Join-Path $TestDrive 'pages.csv'
            @(
                'Pid,Name,AnonPages,OomScoreAdj,Cgroup'
                '200,small,256,0,/'
                '201,big,262144,0,/app'
            ) | Set-Content -Path $csv -Encoding utf8
            Import-Csv $csv | Add-OomTask -Machine $m
            $m.FindTask(200).AnonPages.Value | Should -Be 256
            $m.FindTask(201).AnonPages.Value | Should -Be 262144
        }

        It 'takes each row''s size from whichever of AnonRss and AnonPages it fills, leaving the other empty' {
            $csv = Join-Path $TestDrive 'mixed.csv'
            @(
                'Pid,Name,AnonRss,AnonPages,OomScoreAdj,Cgroup'
                '100,web,1048576,,10,/app'
                '101,db,,256,-100,/'
            ) | Set-Content -Path $csv -Encoding utf8
            Import-Csv $csv | Add-OomTask -Machine $m -ErrorVariable ev -ErrorAction SilentlyContinue
            @($ev | ForEach-Object { "$($_.FullyQualifiedErrorId): $($_.Exception.Message)" }) | Should -BeNullOrEmpty
            @($m.Tasks | ForEach-Object Pid) | Should -Be @(100, 101)
            $m.FindTask(100).AnonPages.Value | Should -Be 256
            $m.FindTask(101).AnonPages.Value | Should -Be 256
            [int]$m.FindTask(101).OomScoreAdj | Should -Be -100
        }

        It 'refuses a row that fills both AnonRss and AnonPages with InvalidArgument and adds the other rows' {
            $csv = Join-Path $TestDrive 'both.csv'
            @(
                'Pid,Name,AnonRss,AnonPages,OomScoreAdj,Cgroup'
                '100,ok,1048576,,0,/'
                '101,both,1048576,5,0,/'
                '102,alsook,2097152,,0,/'
            ) | Set-Content -Path $csv -Encoding utf8
            Import-Csv $csv | Add-OomTask -Machine $m -ErrorVariable ev -ErrorAction SilentlyContinue
            @($m.Tasks | ForEach-Object Pid) | Should -Be @(100, 102)
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'InvalidArgument,OomTools.Commands.AddOomTaskCommand'
            $ev[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $m.FindTask(101) | Should -BeNullOrEmpty
        }

        It 'refuses a row whose cgroup does not exist with CgroupNotFound and adds the other rows' {
            $csv = Join-Path $TestDrive 'badcg.csv'
            @(
                'Pid,Name,AnonRss,OomScoreAdj,Cgroup'
                '100,a,1048576,0,/app'
                '101,b,1048576,0,/missing'
                '102,c,1048576,0,/'
            ) | Set-Content -Path $csv -Encoding utf8
            Import-Csv $csv | Add-OomTask -Machine $m -ErrorVariable ev -ErrorAction SilentlyContinue
            @($m.Tasks | ForEach-Object Pid) | Should -Be @(100, 102)
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'CgroupNotFound,OomTools.Commands.AddOomTaskCommand'
            $ev[0].Exception.Message | Should -BeLike '*/missing*'
        }
    }

    Context 'Get-OomTask -Machine $a | Add-OomTask -Machine $b' {
        BeforeAll {
            $a = New-OomMachine -Name a -Swap 1GB
            New-OomCgroup -Machine $a -Path /app | Out-Null
            Add-OomTask -Machine $a -Pid 10 -Name web -Uid 33 -AnonRss 1MB -FileRss 2MB -ShmemRss 3MB -Swap 4MB -PageTableBytes 8192 -OomScoreAdj 100 -Cgroup /app
            Add-OomTask -Machine $a -Pid 11 -Name threads -AnonPages 7 -OomScoreAdj -5 -Threads 3
            $b = New-OomMachine -Name b -Swap 1GB
            New-OomCgroup -Machine $b -Path /app | Out-Null
            Get-OomTask -Machine $a | Add-OomTask -Machine $b
        }

        It 'copies every process, in order' {
            @($b.Tasks | ForEach-Object Pid) | Should -Be @(10, 11)
            @($b.Tasks | ForEach-Object Comm) | Should -Be @('web', 'threads')
        }

        It 'copies the counters, uid, oom_score_adj, cgroup and thread count' {
            $web = $b.FindTask(10)
            $web.Uid | Should -Be 33
            $web.AnonPages.Value | Should -Be 256
            $web.FilePages.Value | Should -Be 512
            $web.ShmemPages.Value | Should -Be 768
            $web.SwapEntries.Value | Should -Be 1024
            $web.PageTableBytes | Should -Be 8192
            $web.TotalVm.Value | Should -Be 2560
            [int]$web.OomScoreAdj | Should -Be 100
            $web.Cgroup | Should -Be '/app'
            $b.FindTask(11).ThreadCount | Should -Be 3
            [int]$b.FindTask(11).OomScoreAdj | Should -Be -5
        }

        It 'scores the copies exactly as the originals' {
            @(Get-OomBadness -Machine $b | ForEach-Object Points) |
                Should -Be @(Get-OomBadness -Machine $a | ForEach-Object Points)
        }

        It 'copies the cpuset and the MPOL_BIND nodes' {
            $na = New-OomMachine -NumaNodeCount 2
            New-OomCpuset -Machine $na -Path /c1 -Mems 1 | Out-Null
            Add-OomTask -Machine $na -Pid 10 -Name pinned -AnonRss 1MB -Cpuset /c1 -MempolicyNodes 1
            $nb = New-OomMachine -NumaNodeCount 2
            New-OomCpuset -Machine $nb -Path /c1 -Mems 1 | Out-Null
            Get-OomTask -Machine $na | Add-OomTask -Machine $nb
            $nb.FindTask(10).CpusetPath | Should -Be '/c1'
            $nb.FindTask(10).MempolicyBind.ToString() | Should -Be '1'
        }

        It 'keeps processes that share an mm (CLONE_VM) sharing it in the copy, so an OOM kills the same processes' {
            $sa = New-OomMachine
            Add-OomTask -Machine $sa -Pid 100 -Name other -AnonRss 1GB
            Add-OomTask -Machine $sa -Pid 600 -Name parent -AnonRss 2GB
            Add-OomTask -Machine $sa -Pid 601 -Name child -SharesMemoryWith 600
            $sb = New-OomMachine
            Get-OomTask -Machine $sa | Add-OomTask -Machine $sb
            [object]::ReferenceEquals($sb.FindTask(600).Mm, $sb.FindTask(601).Mm) | Should -BeTrue
            @((Invoke-OutOfMemory -Machine $sb -WhatIf).KilledPids) |
                Should -Be @((Invoke-OutOfMemory -Machine $sa -WhatIf).KilledPids)
        }

        It 'makes independent copies: the source machine is unchanged by an OOM on the copy' {
            $before = Get-OomMachineState $a
            Invoke-OutOfMemory -Machine $b | Out-Null
            Get-OomMachineState $a | Should -Be $before
        }
    }

    Context 'Get-OomTask | Set-OomTask and Get-OomTask | Remove-OomTask' {
        BeforeEach {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name web-1 -AnonRss 1GB
            Add-OomTask -Machine $m -Pid 101 -Name web-2 -AnonRss 1GB
            Add-OomTask -Machine $m -Pid 102 -Name db -AnonRss 2GB
        }

        It 'sets oom_score_adj on the selected processes only' {
            Get-OomTask -Machine $m -Name 'web-*' | Set-OomTask -Machine $m -OomScoreAdj 500
            @($m.Tasks | ForEach-Object { [int]$_.OomScoreAdj }) | Should -Be @(500, 500, 0)
            # 262144 + 500 * 4194 = 2359144 beats 524288, and ties go to the later one
            (Invoke-OutOfMemory -Machine $m).Victim.Pid | Should -Be 101
        }

        It 'passes the changed tasks on with -PassThru' {
            @(Get-OomTask -Machine $m -Pid 102 | Set-OomTask -Machine $m -OomScoreAdj -1000 -PassThru | Remove-OomTask -Machine $m -PassThru |
                ForEach-Object Pid) | Should -Be @(102)
            @($m.Tasks | ForEach-Object Pid) | Should -Be @(100, 101)
        }
    }

    Context '$m | Get-OomBadness and $m | Invoke-OutOfMemory' {
        BeforeEach {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 100 -Name a -AnonRss 1GB
            Add-OomTask -Machine $m -Pid 101 -Name b -AnonRss 3GB
        }

        It 'scores the machine piped in' {
            $top = $m | Get-OomBadness | Select-Object -First 1
            $top.Pid | Should -Be 101
            $top.Points | Should -Be 786432
        }

        It 'runs the OOM killer on the machine piped in' {
            $o = $m | Invoke-OutOfMemory
            $o.Victim.Pid | Should -Be 101
            $m.FindTask(101).GroupExiting | Should -BeTrue
        }

        It 'runs the OOM killer on each machine piped in' {
            $n = New-OomMachine -Name second
            Add-OomTask -Machine $n -Pid 7 -Name only -AnonRss 1MB
            $outcomes = @($m, $n | Invoke-OutOfMemory)
            @($outcomes | ForEach-Object { $_.Victim.Pid }) | Should -Be @(101, 7)
        }

        It 'chains the outcome into Get-OomLog and Get-OomTask by the Machine property' {
            $o = $m | Invoke-OutOfMemory
            @($o | Get-OomLog -Tail 1 -Raw)[0] | Should -BeLike '*Killed process 101 (b)*'
            @($o | Get-OomTask -Pid 101).GroupExiting | Should -Be @($true)
        }
    }
}
