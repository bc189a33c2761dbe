BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Set-OomTask' {
    BeforeEach {
        # 16GB RAM, no swap: totalpages = 4194304, totalpages / 1000 = 4194.
        $m = New-OomMachine -Name box
        New-OomCgroup -Machine $m -Path /app | Out-Null
        New-OomCgroup -Machine $m -Path /batch | Out-Null
        Add-OomTask -Machine $m -Pid 100 -Name web-1 -AnonRss 1GB -Cgroup /app
        Add-OomTask -Machine $m -Pid 101 -Name web-2 -AnonRss 512MB -Cgroup /app
        Add-OomTask -Machine $m -Pid 102 -Name db -AnonRss 2GB
    }

    Context 'changing a process' {
        It 'sets oom_score_adj, which oom_badness scales by totalpages/1000' {
            Set-OomTask -Machine $m -Pid 100 -OomScoreAdj 500
            [int]$m.FindTask(100).OomScoreAdj | Should -Be 500
            # 262144 + 500 * 4194 = 2359144
            (Get-OomBadness -Machine $m -Pid 100).Points | Should -Be 2359144
        }

        It 'makes a process that the OOM killer would choose unkillable with -OomScoreAdj -1000' {
            (Invoke-OutOfMemory -Machine $m -WhatIf).Victim.Pid | Should -Be 102
            Set-OomTask -Machine $m -Pid 102 -OomScoreAdj -1000
            (Get-OomBadness -Machine $m -Pid 102).Reason | Should -Be 'OomScoreAdjMin'
            (Invoke-OutOfMemory -Machine $m).Victim.Pid | Should -Be 100
        }

        It 'sets oom_score_adj_min' {
            Set-OomTask -Machine $m -Pid 100 -OomScoreAdjMin -300
            [int]$m.FindTask(100).OomScoreAdjMin | Should -Be -300
        }

        It 'changes the memory counters, in bytes or in pages' {
            Set-OomTask -Machine $m -Pid 100 -AnonRss 2GB -FilePages 10 -ShmemRss 1MB -PageTableBytes 8192
            $t = $m.FindTask(100)
            $t.AnonPages.Value | Should -Be 524288
            $t.FilePages.Value | Should -Be 10
            $t.ShmemPages.Value | Should -Be 256
            $t.PageTableBytes | Should -Be 8192
            # rss 524288 + 10 + 256, plus 8192 / 4096 = 2 pages of page tables
            (Get-OomBadness -Machine $m -Pid 100).Points | Should -Be 524556
        }

        It 'changes the counters of a shared mm for every process that uses it' {
            Add-OomTask -Machine $m -Pid 600 -Name parent -AnonRss 1MB
            Add-OomTask -Machine $m -Pid 601 -Name child -SharesMemoryWith 600
            Set-OomTask -Machine $m -Pid 600 -AnonRss 3GB
            $m.FindTask(601).AnonPages.Value | Should -Be 786432
        }

        It 'propagates oom_score_adj to the other processes sharing the mm (MMF_MULTIPROCESS), as __set_oom_adj does' {
            # fs/proc/base.c __set_oom_adj: when the mm has MMF_MULTIPROCESS (a CLONE_VM child exists), the new
            # value is written to every other process that shares the mm (not kernel threads, not global init).
            Add-OomTask -Machine $m -Pid 600 -Name parent -AnonRss 1GB
            Add-OomTask -Machine $m -Pid 601 -Name child -SharesMemoryWith 600
            Set-OomTask -Machine $m -Pid 600 -OomScoreAdj 500
            [int]$m.FindTask(601).OomScoreAdj | Should -Be 500
        }

        It 'moves a process to another memory cgroup, at the end of its task list' {
            Add-OomTask -Machine $m -Pid 103 -Name job -AnonRss 1MB -Cgroup /batch
            Set-OomTask -Machine $m -Pid 100 -Cgroup /batch
            $m.FindTask(100).Cgroup | Should -Be '/batch'
            @($m.FindCgroup('/batch').Tasks | ForEach-Object Pid) | Should -Be @(103, 100)
            @($m.FindCgroup('/app').Tasks | ForEach-Object Pid) | Should -Be @(101)
        }

        It 'moves a process to another cpuset' {
            New-OomCpuset -Machine $m -Path /pinned -Mems 0 | Out-Null
            Set-OomTask -Machine $m -Pid 100 -Cpuset /pinned
            $m.FindTask(100).CpusetPath | Should -Be '/pinned'
        }

        It 'sets and clears the task states' {
            Set-OomTask -Machine $m -Pid 100 -Exiting -Frozen -CoreDumping -InVfork -OomOrigin -GroupExiting
            $t = $m.FindTask(100)
            $t.Exiting | Should -BeTrue
            $t.Frozen | Should -BeTrue
            $t.CoreDumping | Should -BeTrue
            $t.InVfork | Should -BeTrue
            $t.OomOrigin | Should -BeTrue
            $t.GroupExiting | Should -BeTrue
            Set-OomTask -Machine $m -Pid 100 -Frozen:$false -InVfork:$false
            $t.Frozen | Should -BeFalse
            $t.InVfork | Should -BeFalse
            $t.Exiting | Should -BeTrue     # not named, so not changed
        }

        It 'selects by -Name with wildcards' {
            Set-OomTask -Machine $m -Name 'WEB-*' -OomScoreAdj 200
            @($m.Tasks | ForEach-Object { [int]$_.OomScoreAdj }) | Should -Be @(200, 200, 0)
        }

        It 'writes nothing without -PassThru and the changed tasks with it' {
            Set-OomTask -Machine $m -Pid 100 -OomScoreAdj 1 | Should -BeNullOrEmpty
            $out = Set-OomTask -Machine $m -Pid 100, 101 -OomScoreAdj 2 -PassThru
            @($out | ForEach-Object Pid) | Should -Be @(100, 101)
            $out | ForEach-Object { [int]$_.OomScoreAdj | Should -Be 2 }
        }
    }

    Context '-WhatIf' {
        It 'changes nothing' {
            $before = Get-OomMachineState $m
            $out = Set-OomTask -Machine $m -Pid 100 -OomScoreAdj 900 -AnonRss 4GB -Cgroup /batch -Exiting -PassThru -WhatIf
            $out | Should -BeNullOrEmpty
            Get-OomMachineState $m | Should -Be $before
        }
    }

    Context 'pipeline' {
        It 'changes the tasks piped in from Get-OomTask' {
            Get-OomTask -Machine $m -Cgroup /app | Set-OomTask -Machine $m -OomScoreAdj -250
            @($m.Tasks | ForEach-Object { [int]$_.OomScoreAdj }) | Should -Be @(-250, -250, 0)
        }

        It 'binds Pid by property name' {
            [pscustomobject]@{ Pid = 102 } | Set-OomTask -Machine $m -OomScoreAdj 42
            [int]$m.FindTask(102).OomScoreAdj | Should -Be 42
        }
    }

    Context 'errors' {
        BeforeEach {
            $before = Get-OomMachineState $m
        }

        It 'reports a pid that is not there as TaskNotFound (non-terminating) and changes none of the others (issue 10, case 4)' {
            Set-OomTask -Machine $m -Pid 999, 100 -OomScoreAdj 7 -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'TaskNotFound,OomTools.Commands.SetOomTaskCommand'
            $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $ev[0].Exception.Message | Should -Match '\b999\b'
            [int]$m.FindTask(100).OomScoreAdj | Should -Be 0
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses a task of another machine with TaskNotFound' {
            $other = New-OomMachine -Name other
            Add-OomTask -Machine $other -Pid 100 -Name web-1
            $foreign = Get-OomTask -Machine $other -Pid 100
            $err = { $foreign | Set-OomTask -Machine $m -OomScoreAdj 5 -ErrorAction Stop } |
                Should -Throw -ErrorId 'TaskNotFound,OomTools.Commands.SetOomTaskCommand' -PassThru
            $err.Exception.Message | Should -BeLike "*'box'*"
            Get-OomMachineState $m | Should -Be $before
        }

        It 'checks every value before changing anything: a missing cgroup leaves oom_score_adj as it was' {
            $err = { Set-OomTask -Machine $m -Pid 100 -OomScoreAdj 5 -Cgroup /nope -ErrorAction Stop } |
                Should -Throw -ErrorId 'CgroupNotFound,OomTools.Commands.SetOomTaskCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -BeLike '*/nope*'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses a cpuset that does not exist with CpusetNotFound' {
            $err = { Set-OomTask -Machine $m -Pid 100 -Cpuset /nocpus -ErrorAction Stop } |
                Should -Throw -ErrorId 'CpusetNotFound,OomTools.Commands.SetOomTaskCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -BeLike '*/nocpus*'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses a size given both in bytes and in pages with InvalidArgument and changes nothing' {
            $err = { Set-OomTask -Machine $m -Pid 100 -OomScoreAdj 5 -AnonRss 1MB -AnonPages 5 -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,OomTools.Commands.SetOomTaskCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -BeLike '*anonymous rss*'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses a negative size with NegativeSize, naming the value' {
            $err = { Set-OomTask -Machine $m -Pid 100 -Swap -4096 -ErrorAction Stop } |
                Should -Throw -ErrorId 'NegativeSize,OomTools.Commands.SetOomTaskCommand' -PassThru
            $err.Exception.Message | Should -BeLike '*-4096*'
            { Set-OomTask -Machine $m -Pid 100 -PageTableBytes -1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'NegativeSize,OomTools.Commands.SetOomTaskCommand'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses memory counters for a process without an mm with InvalidState (InvalidOperation)' {
            Add-OomTask -Machine $m -Pid 2 -Name kthreadd -KernelThread
            $before = Get-OomMachineState $m
            $err = { Set-OomTask -Machine $m -Pid 2 -AnonRss 1MB -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidState,OomTools.Commands.SetOomTaskCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidOperation'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses oom_score_adj 1001 with ParameterArgumentValidationError' {
            $err = { Set-OomTask -Machine $m -Pid 100 -OomScoreAdj 1001 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.SetOomTaskCommand' -PassThru
            $err.Exception.Message | Should -BeLike '*1001*'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'stops with InvalidArgument when no process is selected' {
            { Set-OomTask -Machine $m -OomScoreAdj 5 -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,OomTools.Commands.SetOomTaskCommand'
            Get-OomMachineState $m | Should -Be $before
        }
    }
}
