BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Add-OomTask' {

    Context 'adding a process' {
        BeforeEach {
            $m = New-OomMachine -Swap 4GB
        }

        It 'appends the process to the task list and writes nothing without -PassThru' {
            $out = Add-OomTask -Machine $m -Pid 100 -Name first -AnonRss 1MB
            Add-OomTask -Machine $m -Pid 50 -Name second -AnonRss 1MB
            $out | Should -BeNullOrEmpty
            $m.TaskCount | Should -Be 2
            @($m.Tasks | ForEach-Object Pid) | Should -Be @(100, 50)   # fork order, not pid order
        }

        It 'returns the new OomTask with -PassThru' {
            $t = Add-OomTask -Machine $m -Pid 100 -Name web -Uid 33 -PassThru
            $t | Should -BeOfType ([OomTools.Engine.Model.OomTask])
            $t.Pid | Should -Be 100
            $t.Tgid | Should -Be 100
            $t.Comm | Should -Be 'web'
            $t.Name | Should -Be 'web'
            $t.Uid | Should -Be 33
            $t.Cgroup | Should -Be '/'
            $t.CpusetPath | Should -Be '/'
        }

        It 'converts byte sizes to pages (1GB anon = 262144 pages) and derives total_vm from them' {
            $t = Add-OomTask -Machine $m -Pid 100 -Name web -AnonRss 1GB -FileRss 8MB -ShmemRss 4MB -Swap 2MB -PageTableBytes 65536 -PassThru
            $t.AnonPages.Value | Should -Be 262144
            $t.FilePages.Value | Should -Be 2048
            $t.ShmemPages.Value | Should -Be 1024
            $t.SwapEntries.Value | Should -Be 512
            $t.PageTableBytes | Should -Be 65536
            $t.Rss.Value | Should -Be 265216           # get_mm_rss = file + anon + shmem
            $t.TotalVm.Value | Should -Be 265728       # rss + swap when -VirtualSize is omitted
        }

        It 'takes -VirtualSize as total_vm' {
            $t = Add-OomTask -Machine $m -Pid 100 -AnonRss 1MB -VirtualSize 2GB -PassThru
            $t.TotalVm.Value | Should -Be 524288
        }

        It 'rounds a size that is not a whole number of pages up' {
            $t = Add-OomTask -Machine $m -Pid 100 -AnonRss 5000 -PassThru
            $t.AnonPages.Value | Should -Be 2
        }

        It 'takes sizes in pages with -AnonPages, -FilePages, -ShmemPages, -SwapPages and -TotalVm' {
            $t = Add-OomTask -Machine $m -Pid 100 -AnonPages 5 -FilePages 6 -ShmemPages 7 -SwapPages 8 -TotalVm 100 -PassThru
            $t.AnonPages.Value | Should -Be 5
            $t.FilePages.Value | Should -Be 6
            $t.ShmemPages.Value | Should -Be 7
            $t.SwapEntries.Value | Should -Be 8
            $t.TotalVm.Value | Should -Be 100
        }

        It 'keeps only 15 characters of the name, as the kernel keeps comm (TASK_COMM_LEN 16)' {
            $t = Add-OomTask -Machine $m -Pid 100 -Name 'a-very-long-process-name' -PassThru
            $t.Comm | Should -Be 'a-very-long-pro'
        }

        It 'sets oom_score_adj and oom_score_adj_min' {
            $t = Add-OomTask -Machine $m -Pid 100 -OomScoreAdj -500 -OomScoreAdjMin -800 -PassThru
            [int]$t.OomScoreAdj | Should -Be -500
            [int]$t.OomScoreAdjMin | Should -Be -800
        }

        It 'takes the next free pid when -Pid is omitted; pid 1 is global init' {
            $e = New-OomMachine
            $first = Add-OomTask -Machine $e -Name init -PassThru
            $second = Add-OomTask -Machine $e -Name sshd -PassThru
            $first.Pid | Should -Be 1
            $first.IsGlobalInit | Should -BeTrue
            $second.Pid | Should -Be 2
            $second.IsGlobalInit | Should -BeFalse
        }

        It 'does not give a new process a pid that the threads of an earlier one use' {
            Add-OomTask -Machine $m -Pid 100 -Name threaded -Threads 3     # threads 100, 101, 102
            (Add-OomTask -Machine $m -Name next -PassThru).Pid | Should -Be 103
        }

        It 'makes pid 1 killable with -GlobalInit:$false' {
            $t = Add-OomTask -Machine $m -Pid 1 -Name notinit -GlobalInit:$false -AnonRss 1GB -PassThru
            $t.IsGlobalInit | Should -BeFalse
            (Invoke-OutOfMemory -Machine $m).Victim.Pid | Should -Be 1
        }

        It 'places the process in a memory cgroup, a cpuset and an MPOL_BIND mempolicy' {
            $n = New-OomMachine -NumaNodeCount 2
            New-OomCgroup -Machine $n -Path /app | Out-Null
            New-OomCpuset -Machine $n -Path /c1 -Mems 1 | Out-Null
            $t = Add-OomTask -Machine $n -Pid 100 -Cgroup /app -Cpuset /c1 -MempolicyNodes '0-1' -PassThru
            $t.Cgroup | Should -Be '/app'
            $t.CpusetPath | Should -Be '/c1'
            $t.MempolicyBind.ToString() | Should -Be '0-1'
            @($n.FindCgroup('/app').Tasks | ForEach-Object Pid) | Should -Be @(100)
        }

        It 'shares the mm of -SharesMemoryWith (CLONE_VM): one mm_struct, MMF_MULTIPROCESS, its counters' {
            $parent = Add-OomTask -Machine $m -Pid 600 -Name parent -AnonRss 2GB -PassThru
            $child = Add-OomTask -Machine $m -Pid 601 -Name child -SharesMemoryWith 600 -PassThru
            [object]::ReferenceEquals($parent.Mm, $child.Mm) | Should -BeTrue
            $child.AnonPages.Value | Should -Be 524288
            $child.Mm.Has([OomTools.Engine.Model.MmFlags]::MultiProcess) | Should -BeTrue
            $child.Mm.Users | Should -Be 2
        }

        It 'gives a kernel thread no mm, so it is never scored' {
            $t = Add-OomTask -Machine $m -Pid 2 -Name kthreadd -KernelThread -PassThru
            $t.IsKernelThread | Should -BeTrue
            $t.Mm | Should -BeNullOrEmpty
            (Get-OomBadness -Machine $m -Pid 2).Reason | Should -Be 'KernelThread'
        }

        It 'models threads, leader first, of which -DetachedThreads have already dropped the mm' {
            $t = Add-OomTask -Machine $m -Pid 100 -AnonRss 1MB -Threads 4 -DetachedThreads 1 -PassThru
            $t.ThreadCount | Should -Be 4
            @($t.ThreadList | ForEach-Object Tid) | Should -Be @(100, 101, 102, 103)
            @($t.ThreadList | ForEach-Object HasMm) | Should -Be @($false, $true, $true, $true)
            $t.LeaderMm | Should -BeNullOrEmpty
            $t.Mm.Users | Should -Be 3
        }

        It 'marks an existing OOM victim with -OomVictim (oom_mm set, TIF_MEMDIE, one victim in flight)' {
            $t = Add-OomTask -Machine $m -Pid 100 -AnonRss 1MB -OomVictim -PassThru
            $t.IsOomVictim | Should -BeTrue
            $t.MemDie | Should -BeTrue
            $t.GroupExiting | Should -BeTrue
            $m.OomVictims | Should -Be 1
        }

        It 'keeps -OomVictim when no thread holds the mm any more: oom_mm stays, the scan stops at it' {
            Add-OomTask -Machine $m -Pid 100 -Name big -AnonRss 1GB
            $t = Add-OomTask -Machine $m -Pid 101 -Name dying -AnonRss 1MB -Threads 2 -DetachedThreads 2 -OomVictim -PassThru
            $t.IsOomVictim | Should -BeTrue
            $t.Mm | Should -BeNullOrEmpty
            $t.MemDie | Should -BeFalse -Because 'exit_mm cleared TIF_MEMDIE on each thread'
            $o = Invoke-OutOfMemory -Machine $m
            $o.Aborted | Should -BeTrue
            $o.AbortedBy.Pid | Should -Be 101
            @($o.Killed).Count | Should -Be 0
        }

        It 'keeps -OomVictim with -SharesMemoryWith when no thread holds the mm: oom_mm is the shared mm' {
            $owner = Add-OomTask -Machine $m -Pid 100 -Name owner -AnonRss 1GB -PassThru
            $t = Add-OomTask -Machine $m -Pid 101 -Name clone -SharesMemoryWith 100 -Threads 2 -DetachedThreads 2 -OomVictim -PassThru
            [object]::ReferenceEquals($t.OomMm, $owner.Mm) | Should -BeTrue
            (Invoke-OutOfMemory -Machine $m).AbortedBy.Pid | Should -Be 101
        }

        It 'sets MMF_OOM_SKIP on the mm with -OomSkip' {
            $t = Add-OomTask -Machine $m -Pid 100 -AnonRss 1MB -OomSkip -PassThru
            $t.Mm.Has([OomTools.Engine.Model.MmFlags]::OomSkip) | Should -BeTrue
            (Get-OomBadness -Machine $m -Pid 100).Reason | Should -Be 'MmOomSkip'
        }

        It 'sets the task states the OOM killer tests' {
            $t = Add-OomTask -Machine $m -Pid 100 -Exiting -CoreDumping -InVfork -OomOrigin -Frozen -PassThru
            $t.Exiting | Should -BeTrue
            $t.CoreDumping | Should -BeTrue
            $t.InVfork | Should -BeTrue
            $t.OomOrigin | Should -BeTrue
            $t.Frozen | Should -BeTrue
            $t.GroupExiting | Should -BeFalse
        }
    }

    Context '-WhatIf' {
        It 'adds nothing and writes nothing, even with -PassThru' {
            $m = New-OomMachine
            $out = Add-OomTask -Machine $m -Pid 100 -Name web -AnonRss 1GB -PassThru -WhatIf
            $out | Should -BeNullOrEmpty
            $m.TaskCount | Should -Be 0
            $m.FindTask(100) | Should -BeNullOrEmpty
        }
    }

    Context 'pipeline binding by property name' {
        It 'binds Pid, Name, AnonRss, OomScoreAdj and Cgroup from objects' {
            $m = New-OomMachine
            New-OomCgroup -Machine $m -Path /app | Out-Null
            @(
                [pscustomobject]@{ Pid = 10; Name = 'a'; AnonRss = 1MB; OomScoreAdj = 100; Cgroup = '/app' }
                [pscustomobject]@{ Pid = 11; Name = 'b'; AnonRss = 2MB; OomScoreAdj = -100; Cgroup = '/' }
            ) | Add-OomTask -Machine $m
            $a = $m.FindTask(10); $b = $m.FindTask(11)
            $a.Comm | Should -Be 'a'
            $a.AnonPages.Value | Should -Be 256
            [int]$a.OomScoreAdj | Should -Be 100
            $a.Cgroup | Should -Be '/app'
            $b.AnonPages.Value | Should -Be 512
            [int]$b.OomScoreAdj | Should -Be -100
            $b.Cgroup | Should -Be '/'
        }

        It 'binds the /proc-style aliases Comm, RssAnon, RssFile, VmSwap and ThreadCount' {
            $m = New-OomMachine -Swap 1GB
            [pscustomobject]@{ Pid = 20; Comm = 'java'; RssAnon = 4MB; RssFile = 8MB; VmSwap = 1MB; ThreadCount = 2 } | Add-OomTask -Machine $m
            $t = $m.FindTask(20)
            $t.Comm | Should -Be 'java'
            $t.AnonPages.Value | Should -Be 1024
            $t.FilePages.Value | Should -Be 2048
            $t.SwapEntries.Value | Should -Be 256
            $t.ThreadCount | Should -Be 2
        }

        It 'goes on with the next record after a refused one (non-terminating error)' {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 11 -Name existing
            @(
                [pscustomobject]@{ Pid = 10; Name = 'a' }
                [pscustomobject]@{ Pid = 11; Name = 'dup' }
                [pscustomobject]@{ Pid = 12; Name = 'c' }
            ) | Add-OomTask -Machine $m -ErrorVariable ev -ErrorAction SilentlyContinue
            @($m.Tasks | ForEach-Object Pid) | Should -Be @(11, 10, 12)
            $m.FindTask(11).Comm | Should -Be 'existing'
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'DuplicatePid,OomTools.Commands.AddOomTaskCommand'
        }

        It 'refuses a CSV row whose cell does not convert, naming the row and the property; the good rows go in (issue 10, case 8)' {
            $m = New-OomMachine
            $csv = @(
                'Pid,Name,AnonRss,SwapPages'
                '10,good,1048576,'
                'abc,badpid,1048576,'
                '11,badsize,lots,'
                '12,badpages,4096,many'
                '13,also-good,2097152,'
            ) | ConvertFrom-Csv
            $csv | Add-OomTask -Machine $m -ErrorVariable ev -ErrorAction SilentlyContinue
            @($m.Tasks | ForEach-Object Pid) | Should -Be @(10, 13)
            $m.FindTask(10).AnonPages.Value | Should -Be 256
            $m.FindTask(13).AnonPages.Value | Should -Be 512
            @($ev | ForEach-Object FullyQualifiedErrorId | Select-Object -Unique) | Should -Be @('InvalidPropertyValue,OomTools.Commands.AddOomTaskCommand')
            $ev.Count | Should -Be 3
            $ev[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $ev[0].Exception.Message | Should -BeLike "row 2 (name 'badpid', pid 'abc'): Pid 'abc' *"
            $ev[1].Exception.Message | Should -BeLike "row 3 (name 'badsize', pid '11'): AnonRss 'lots' *"
            $ev[2].Exception.Message | Should -BeLike "row 4 (name 'badpages', pid '12'): SwapPages 'many' *"
        }

        It 'stops at the bad row with -ErrorAction Stop' {
            $m = New-OomMachine
            $rows = @(
                [pscustomobject]@{ Pid = '10'; Name = 'a'; AnonRss = '1048576' }
                [pscustomobject]@{ Pid = '11'; Name = 'b'; AnonRss = 'lots' }
                [pscustomobject]@{ Pid = '12'; Name = 'c'; AnonRss = '1048576' }
            )
            { $rows | Add-OomTask -Machine $m -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidPropertyValue,OomTools.Commands.AddOomTaskCommand'
            @($m.Tasks | ForEach-Object Pid) | Should -Be @(10)
        }

        It 'refuses a row whose cell fails validation as PowerShell''s binder does, and adds the other rows' {
            $m = New-OomMachine
            @(
                [pscustomobject]@{ Pid = 0; Name = 'zero' }
                [pscustomobject]@{ Pid = 10; Name = '' }
                [pscustomobject]@{ Pid = 11; Name = 'ok'; OomScoreAdj = '-1000' }
            ) | Add-OomTask -Machine $m -ErrorVariable ev -ErrorAction SilentlyContinue
            @($m.Tasks | ForEach-Object Pid) | Should -Be @(11)
            [int]$m.FindTask(11).OomScoreAdj | Should -Be -1000
            @($ev | ForEach-Object FullyQualifiedErrorId) | Should -Be (@('ParameterArgumentValidationError,OomTools.Commands.AddOomTaskCommand') * 2)
            $ev[0].CategoryInfo.Category | Should -Be 'InvalidData'
            $ev[0].Exception.Message | Should -BeLike "Cannot validate argument on parameter 'Pid'. The 0 argument is less than the minimum allowed range of 1*"
            $ev[1].Exception.Message | Should -BeLike "Cannot validate argument on parameter 'Name'. The argument is null or empty*"
        }

        It 'takes a parameter''s own name before its aliases, and the first alias before the next' {
            $m = New-OomMachine
            [pscustomobject]@{ Comm = 'alias'; Name = 'own'; Pid = 10; RssAnon = '2M'; Rss = '1M' } | Add-OomTask -Machine $m
            $m.FindTask(10).Comm | Should -Be 'own'
            $m.FindTask(10).AnonPages.Value | Should -Be 256
        }

        It 'leaves a parameter given on the command line to the command line, and each row''s cells to that row' {
            $m = New-OomMachine
            @(
                [pscustomobject]@{ Pid = 10; Uid = 7; Threads = 2; OomScoreAdj = 300 }
                [pscustomobject]@{ Pid = 20 }
            ) | Add-OomTask -Machine $m -Name fixed
            @($m.Tasks | ForEach-Object Comm) | Should -Be @('fixed', 'fixed')
            $m.FindTask(10).Uid | Should -Be 7
            $m.FindTask(20).Uid | Should -Be 0
            $m.FindTask(20).ThreadCount | Should -Be 1
            [int]$m.FindTask(20).OomScoreAdj | Should -Be 0
        }

        It 'binds switches from booleans and numbers, and size text with units' {
            $m = New-OomMachine -Swap 1GB
            [pscustomobject]@{ Pid = 10; IsKernelThread = $true; Frozen = 0 } | Add-OomTask -Machine $m
            [pscustomobject]@{ Pid = 11; Exiting = 1; AnonRss = '1.5M'; SwapPages = '8'; PgtablesBytes = '8k' } | Add-OomTask -Machine $m
            $m.FindTask(10).IsKernelThread | Should -BeTrue
            $m.FindTask(10).Frozen | Should -BeFalse
            $m.FindTask(11).Exiting | Should -BeTrue
            $m.FindTask(11).AnonPages.Value | Should -Be 384
            $m.FindTask(11).SwapEntries.Value | Should -Be 8
            $m.FindTask(11).PageTableBytes | Should -Be 8192
        }

        It 'says in its help that the parameters take pipeline input by property name' {
            (Get-Help Add-OomTask -Parameter AnonRss).pipelineInput | Should -Be 'True (ByPropertyName)'
            (Get-Help Add-OomTask -Parameter Name).pipelineInput | Should -Be 'True (ByPropertyName)'
            (Get-Help Add-OomTask -Parameter PassThru).pipelineInput | Should -Be 'False'
        }

        It 'still takes typed objects from Get-OomTask' {
            $a = New-OomMachine; $b = New-OomMachine
            Add-OomTask -Machine $a -Pid 10 -Name x -AnonRss 1MB
            Get-OomTask -Machine $a | Add-OomTask -Machine $b
            $b.FindTask(10).AnonPages.Value | Should -Be 256
        }
    }

    Context 'errors' {
        BeforeEach {
            $m = New-OomMachine
            Add-OomTask -Machine $m -Pid 500 -Name original -AnonRss 1MB
            $before = Get-OomMachineState $m
        }

        It 'refuses a pid that is taken with DuplicatePid (ResourceExists) and keeps the original' {
            $err = { Add-OomTask -Machine $m -Pid 500 -Name dup -AnonRss 1GB -ErrorAction Stop } |
                Should -Throw -ErrorId 'DuplicatePid,OomTools.Commands.AddOomTaskCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ResourceExists'
            $err.Exception.Message | Should -Match '\b500\b'
            $err.TargetObject | Should -Be 500
            $m.TaskCount | Should -Be 1
            $m.FindTask(500).Comm | Should -Be 'original'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'writes DuplicatePid as a non-terminating error' {
            Add-OomTask -Machine $m -Pid 500 -Name dup -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'DuplicatePid,OomTools.Commands.AddOomTaskCommand'
            $m.TaskCount | Should -Be 1
        }

        It 'refuses a memory cgroup that does not exist with CgroupNotFound (ObjectNotFound)' {
            $err = { Add-OomTask -Machine $m -Pid 501 -Cgroup /nope -ErrorAction Stop } |
                Should -Throw -ErrorId 'CgroupNotFound,OomTools.Commands.AddOomTaskCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -BeLike '*/nope*'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses a cpuset that does not exist with CpusetNotFound (ObjectNotFound)' {
            $err = { Add-OomTask -Machine $m -Pid 501 -Cpuset /nocpus -ErrorAction Stop } |
                Should -Throw -ErrorId 'CpusetNotFound,OomTools.Commands.AddOomTaskCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -BeLike '*/nocpus*'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses a negative size with NegativeSize, naming the value (<Parameter>)' -ForEach @(
            @{ Parameter = 'AnonRss'; Value = -5; Shown = '-5' }
            @{ Parameter = 'FileRss'; Value = -4096; Shown = '-4096' }
            @{ Parameter = 'Swap'; Value = -1; Shown = '-1' }
            @{ Parameter = 'SwapPages'; Value = -7; Shown = '-7' }
            @{ Parameter = 'PageTableBytes'; Value = -8; Shown = '-8' }
        ) {
            $splat = @{ Machine = $m; Pid = 501; $Parameter = $Value }
            $err = { Add-OomTask @splat -ErrorAction Stop } |
                Should -Throw -ErrorId 'NegativeSize,OomTools.Commands.AddOomTaskCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -BeLike "*$Shown*"
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses a size given both in bytes and in pages with InvalidArgument' {
            $err = { Add-OomTask -Machine $m -Pid 501 -AnonRss 1MB -AnonPages 5 -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,OomTools.Commands.AddOomTaskCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -BeLike '*anonymous rss*'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses memory sizes that contradict the mm it shares' {
            # 500's mm has 1MB anonymous; the same size again is accepted (a copied task), another is not.
            { Add-OomTask -Machine $m -Pid 501 -SharesMemoryWith 500 -AnonRss 2MB -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,OomTools.Commands.AddOomTaskCommand'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses to share the mm of a pid that does not exist with TaskNotFound' {
            $err = { Add-OomTask -Machine $m -Pid 501 -SharesMemoryWith 999 -ErrorAction Stop } |
                Should -Throw -ErrorId 'TaskNotFound,OomTools.Commands.AddOomTaskCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -Match '\b999\b'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses more detached threads than threads with InvalidArgument' {
            $err = { Add-OomTask -Machine $m -Pid 501 -Threads 2 -DetachedThreads 3 -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,OomTools.Commands.AddOomTaskCommand' -PassThru
            $err.Exception.Message | Should -Match '\b3\b'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses a mempolicy node list it cannot parse with InvalidFormat, naming the text' {
            $err = { Add-OomTask -Machine $m -Pid 501 -MempolicyNodes 'zero' -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidFormat,OomTools.Commands.AddOomTaskCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -BeLike "*'zero'*"
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses oom_score_adj <Value> (outside -1000..1000) with ParameterArgumentValidationError' -ForEach @(
            @{ Value = 1001 }
            @{ Value = -1001 }
        ) {
            $err = { Add-OomTask -Machine $m -Pid 501 -OomScoreAdj $Value -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.AddOomTaskCommand' -PassThru
            $err.Exception.Message | Should -BeLike "*$Value*"
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses pid 0 and a zero thread count with ParameterArgumentValidationError' {
            { Add-OomTask -Machine $m -Pid 0 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.AddOomTaskCommand'
            { Add-OomTask -Machine $m -Pid 501 -Threads 0 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.AddOomTaskCommand'
            Get-OomMachineState $m | Should -Be $before
        }
    }
}
