BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'New-OomMachine' {

    Context 'defaults' {
        BeforeAll {
            $m = New-OomMachine
        }

        It 'returns an OomMachine' {
            $m | Should -BeOfType ([OomTools.Engine.Model.OomMachine])
        }

        It 'models 16GB of RAM as 4194304 pages of 4096 bytes and no swap' {
            $m.PageSize | Should -Be 4096
            $m.TotalRamPages.Value | Should -Be 4194304          # 16 * 2^30 / 4096
            $m.TotalSwapPages.Value | Should -Be 0
            $m.MemoryBytes | Should -Be 17179869184
            $m.Name | Should -Be 'oom-machine'
        }

        It 'starts with the kernel defaults of the OOM sysctls' {
            $m.PanicOnOom | Should -Be 0                  # vm.panic_on_oom
            $m.OomKillAllocatingTask | Should -BeFalse    # vm.oom_kill_allocating_task
            $m.OomDumpTasks | Should -BeTrue              # vm.oom_dump_tasks = 1
            $m.VmSwappiness | Should -Be 60
            $m.Hz | Should -Be 250
            $m.CgroupVersion | Should -Be ([OomTools.Engine.Model.CgroupVersion]::V2)
            $m.KernelVersion | Should -Be ([version]'6.12')
        }

        It 'starts empty: no tasks, no log, no victims, only the root memory cgroup and cpuset' {
            $m.TaskCount | Should -Be 0
            $m.Log.Count | Should -Be 0
            $m.OomVictims | Should -Be 0
            $m.OomKillCount | Should -Be 0
            @($m.Cgroups | ForEach-Object Path) | Should -Be @('/')
            @($m.Cpusets | ForEach-Object Path) | Should -Be @('/')
            $m.CpusetsEnabled | Should -BeFalse
        }

        It 'puts all RAM on NUMA node 0' {
            $m.Nodes.Count | Should -Be 1
            $m.Nodes[0].PresentPages.Value | Should -Be 4194304
            $m.NodesWithMemory.ToString() | Should -Be '0'
        }

        It 'treats an unlimited memory cgroup limit as PAGE_COUNTER_MAX = LONG_MAX / PAGE_SIZE' {
            $m.PageCounterMax.Value | Should -Be 2251799813685247   # 9223372036854775807 / 4096
        }
    }

    Context 'sizes' {
        It 'turns -Memory 8GB -Swap 2GB into 2097152 RAM pages and 524288 swap pages' {
            $m = New-OomMachine -Memory 8GB -Swap 2GB
            $m.TotalRamPages.Value | Should -Be 2097152
            $m.TotalSwapPages.Value | Should -Be 524288
            $m.SwapBytes | Should -Be 2147483648
        }

        It 'rounds a size that is not a whole number of pages up' {
            (New-OomMachine -Memory 4097).TotalRamPages.Value | Should -Be 2
        }

        It 'counts 16GB as 1048576 pages with -PageSize 16384' {
            $m = New-OomMachine -PageSize 16384
            $m.PageSize | Should -Be 16384
            $m.TotalRamPages.Value | Should -Be 1048576
        }

        It 'splits RAM evenly over -NumaNodeCount 2 nodes' {
            $m = New-OomMachine -NumaNodeCount 2
            @($m.Nodes | ForEach-Object { $_.PresentPages.Value }) | Should -Be @(2097152, 2097152)
            $m.NodesWithMemory.ToString() | Should -Be '0-1'
        }

        It 'gives the remainder of an uneven split to the last node' {
            # 4194304 / 3 = 1398101 remainder 1
            $m = New-OomMachine -NumaNodeCount 3
            @($m.Nodes | ForEach-Object { $_.PresentPages.Value }) | Should -Be @(1398101, 1398101, 1398102)
        }

        It 'sizes each node with -NumaNodeMemory and makes RAM their sum' {
            $m = New-OomMachine -NumaNodeMemory 1GB, 3GB
            @($m.Nodes | ForEach-Object { $_.PresentPages.Value }) | Should -Be @(262144, 786432)
            $m.TotalRamPages.Value | Should -Be 1048576
        }
    }

    Context 'sysctls and settings' {
        It 'sets vm.panic_on_oom, vm.oom_kill_allocating_task, swappiness, HZ, the cgroup version and the kernel version' {
            $m = New-OomMachine -Name db01 -PanicOnOom 2 -OomKillAllocatingTask -Swappiness 0 -Hz 1000 -CgroupVersion 1 -KernelVersion 6.1
            $m.Name | Should -Be 'db01'
            $m.PanicOnOom | Should -Be 2
            $m.OomKillAllocatingTask | Should -BeTrue
            $m.VmSwappiness | Should -Be 0
            $m.Hz | Should -Be 1000
            $m.CgroupVersion | Should -Be ([OomTools.Engine.Model.CgroupVersion]::V1)
            $m.KernelVersion | Should -Be ([version]'6.1')
        }

        It 'leaves the task table out of the OOM report with -OomDumpTasks:$false' {
            $m = New-OomMachine -OomDumpTasks:$false
            $m.OomDumpTasks | Should -BeFalse
            Add-OomTask -Machine $m -Pid 100 -Name worker -AnonRss 1GB
            $text = Get-OomLogText (Invoke-OutOfMemory -Machine $m).Log
            $text | Should -Not -Contain 'Tasks state (memory values in pages):'
            $text | Should -Contain 'Out of memory: Killed process 100 (worker) total-vm:1048576kB, anon-rss:1048576kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:0kB oom_score_adj:0'
        }

        It 'arms the oom_reaper timer OOM_REAPER_DELAY = 2*HZ jiffies after a kill (<Hz> Hz -> <Expected>)' -ForEach @(
            @{ Hz = 250; Expected = 500 }
            @{ Hz = 1000; Expected = 2000 }
        ) {
            $m = New-OomMachine -Hz $Hz
            Add-OomTask -Machine $m -Pid 100 -Name worker -AnonRss 1GB
            $o = Invoke-OutOfMemory -Machine $m
            $o.Victim.ReaperTimerExpires | Should -Be $Expected
        }
    }

    Context 'pipeline' {
        It 'binds Name, Memory and Swap by property name' {
            $machines = @(
                [pscustomobject]@{ Name = 'web01'; Memory = 4GB; Swap = 1GB }
                [pscustomobject]@{ Name = 'web02'; Memory = 2GB; Swap = 0 }
            ) | New-OomMachine
            $machines.Count | Should -Be 2
            $machines[0].Name | Should -Be 'web01'
            $machines[0].TotalRamPages.Value | Should -Be 1048576
            $machines[0].TotalSwapPages.Value | Should -Be 262144
            $machines[1].Name | Should -Be 'web02'
            $machines[1].TotalRamPages.Value | Should -Be 524288
        }
    }

    Context 'no ShouldProcess' {
        It 'only creates a detached object, so it offers no -WhatIf' {
            (Get-Command New-OomMachine).Parameters.ContainsKey('WhatIf') | Should -BeFalse
        }
    }

    Context 'errors' {
        It 'rejects vm.panic_on_oom 3 with ParameterArgumentValidationError' {
            $err = { New-OomMachine -PanicOnOom 3 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.NewOomMachineCommand' -PassThru
            $err.Exception.Message | Should -Match '\b3\b'
        }

        It 'rejects a page size the kernel does not have' {
            { New-OomMachine -PageSize 8192 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.NewOomMachineCommand'
        }

        It 'rejects a machine without RAM' {
            { New-OomMachine -Memory 0 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.NewOomMachineCommand'
        }

        It 'rejects a negative swap size' {
            { New-OomMachine -Swap -1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.NewOomMachineCommand'
        }

        It 'reports InvalidArgument when -NumaNodeCount does not match -NumaNodeMemory and returns no machine' {
            $out = New-OomMachine -NumaNodeCount 3 -NumaNodeMemory 1GB, 1GB -ErrorVariable ev -ErrorAction SilentlyContinue
            $out | Should -BeNullOrEmpty
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'InvalidArgument,OomTools.Commands.NewOomMachineCommand'
            $ev[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $ev[0].Exception.Message | Should -Match '\b3\b'
        }

        It 'reports NegativeSize for a negative NUMA node size, naming the value' {
            $err = { New-OomMachine -NumaNodeMemory 1GB, -1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'NegativeSize,OomTools.Commands.NewOomMachineCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -Match '-1'
        }
    }

    Context '-LogCapacity (the printk ring, log_buf_len)' {
        It 'keeps 32768 records unless told, as a 1 MiB kernel log buffer does' {
            (New-OomMachine).Log.Capacity | Should -Be 32768
        }

        It 'keeps only the last N records, counts the rest as dropped, and keeps its size through Export-OomMachine' {
            $m = New-OomMachine -Memory 1GB -LogCapacity 12
            1..30 | ForEach-Object { Add-OomTask -Machine $m -Pid (100 + $_) -Name "w$_" -AnonPages (1000 * $_) }
            $null = Invoke-OutOfMemory -Machine $m -Confirm:$false
            $m.Log.Entries.Count | Should -Be 12
            $m.Log.Dropped | Should -BeGreaterThan 0
            @(Get-OomLog -Machine $m)[-1].Text | Should -BeLike '*Killed process 130 (w30)*'
            $file = Join-Path $TestDrive 'small-log.json'
            Export-OomMachine -Machine $m -LiteralPath $file
            $back = Import-OomMachine -LiteralPath $file
            $back.Log.Capacity | Should -Be 12
            @($back.Log.Entries.Text) | Should -Be @($m.Log.Entries.Text)
        }

        It 'refuses a size below one record, naming the value' {
            { New-OomMachine -LogCapacity 0 -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.NewOomMachineCommand'
        }
    }
}
