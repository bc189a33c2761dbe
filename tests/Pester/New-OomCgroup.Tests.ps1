BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'New-OomCgroup' {
    BeforeEach {
        $m = New-OomMachine -Name box -Swap 2GB
    }

    Context 'one canonical path (issue 10, case 1)' {
        It 'refuses //x beside /x with CgroupExists, and the export still imports' {
            $null = New-OomCgroup -Machine $m -Path /x
            $before = Get-OomMachineState $m
            foreach ($p in '//x', '/x/', 'x', '/./x') {
                { New-OomCgroup -Machine $m -Path $p -ErrorAction Stop } | Should -Throw -ErrorId 'CgroupExists,OomTools.Commands.NewOomCgroupCommand'
            }
            Get-OomMachineState $m | Should -Be $before
            @($m.Cgroups).Count | Should -Be 2
            $copy = $m | Export-OomMachine | Import-OomMachine
            @($copy.Cgroups | ForEach-Object Path) | Should -Be @('/', '/x')
        }

        It 'creates /x/./y as /x/y and finds it by any spelling' {
            $null = New-OomCgroup -Machine $m -Path /x
            (New-OomCgroup -Machine $m -Path /x/./y).Path | Should -Be '/x/y'
            Add-OomTask -Machine $m -Pid 100 -Rss 1MB -Cgroup '//x/y/'
            (Get-OomTask -Machine $m -Pid 100).Memcg.Path | Should -Be '/x/y'
        }

        It 'refuses a path with .. naming it, and creates nothing' {
            $null = New-OomCgroup -Machine $m -Path /x
            $before = Get-OomMachineState $m
            $err = $null
            New-OomCgroup -Machine $m -Path '/x/../y' -ErrorVariable err -ErrorAction SilentlyContinue
            $err[0].FullyQualifiedErrorId | Should -Be 'InvalidArgument,OomTools.Commands.NewOomCgroupCommand'
            $err[0].Exception.Message | Should -BeLike "*'/x/../y'*"
            Get-OomMachineState $m | Should -Be $before
        }
    }

    Context 'creating a memory cgroup' {
        It 'creates a cgroup under the root and returns it' {
            $cg = New-OomCgroup -Machine $m -Path /system.slice
            $cg | Should -BeOfType ([OomTools.Engine.Model.MemoryCgroup])
            $cg.Path | Should -Be '/system.slice'
            $cg.Name | Should -Be 'system.slice'
            $cg.Parent.Path | Should -Be '/'
            $m.FindCgroup('/system.slice') | Should -Be $cg
        }

        It 'turns -MemoryMax 1GB into memory.max = 262144 pages' {
            (New-OomCgroup -Machine $m -Path /app -MemoryMax 1GB).MemoryMax.Value | Should -Be 262144
        }

        It 'leaves the limits at PAGE_COUNTER_MAX (unlimited) when none are given' {
            $cg = New-OomCgroup -Machine $m -Path /app
            $cg.MemoryMax.Value | Should -Be 2251799813685247
            $cg.SwapMax.Value | Should -Be 2251799813685247
            $cg.OomGroup | Should -BeFalse
        }

        It 'sets memory.swap.max on cgroup v2' {
            (New-OomCgroup -Machine $m -Path /app -MemoryMax 1GB -SwapMax 512MB).SwapMax.Value | Should -Be 131072
        }

        It 'sets the v1 memsw limit to memory.max plus the swap limit' {
            $v1 = New-OomMachine -CgroupVersion 1 -Swap 2GB
            $cg = New-OomCgroup -Machine $v1 -Path /app -MemoryMax 1GB -SwapMax 256MB -Swappiness 10
            $cg.MemswMax.Value | Should -Be 327680    # 262144 + 65536
            $cg.Swappiness | Should -Be 10
        }

        It 'sets memory.oom.group with -OomGroup' {
            (New-OomCgroup -Machine $m -Path /svc -OomGroup).OomGroup | Should -BeTrue
        }

        It 'creates nested cgroups under an existing parent, in creation order' {
            New-OomCgroup -Machine $m -Path /a | Out-Null
            New-OomCgroup -Machine $m -Path /a/x | Out-Null
            New-OomCgroup -Machine $m -Path /a/y | Out-Null
            $y = $m.FindCgroup('/a/y')
            $y.Parent.Path | Should -Be '/a'
            @($m.FindCgroup('/a').Children | ForEach-Object Name) | Should -Be @('x', 'y')
            @($m.Cgroups | ForEach-Object Path) | Should -Be @('/', '/a', '/a/x', '/a/y')
        }

        It 'accepts a path without the leading slash or with a trailing one' {
            (New-OomCgroup -Machine $m -Path 'app').Path | Should -Be '/app'
            (New-OomCgroup -Machine $m -Path '/web/').Path | Should -Be '/web'
        }

        It 'makes a memcg OOM domain whose totalpages is memory.max plus the swap it may use' {
            New-OomCgroup -Machine $m -Path /app -MemoryMax 1GB -SwapMax 512MB | Out-Null
            Add-OomTask -Machine $m -Pid 100 -Name a -AnonRss 1MB -Cgroup /app
            # mem_cgroup_get_max: 262144 + min(131072, 524288)
            (Invoke-OutOfMemory -Machine $m -Cgroup /app -WhatIf).TotalPages.Value | Should -Be 393216
        }
    }

    Context 'cgroup v1 memory.oom_control' {
        It 'sets oom_kill_disable with -OomKillDisable; the counters start at 0' {
            $v1 = New-OomMachine -CgroupVersion 1
            $cg = New-OomCgroup -Machine $v1 -Path /batch -MemoryMax 1GB -OomKillDisable
            $cg.OomKillDisable | Should -BeTrue
            $cg.UnderOom | Should -BeFalse
            $cg.OomKill | Should -Be 0
            $cg.Oom | Should -Be 0
            [OomTools.Engine.Memcontrol.MemCgroups]::MemCgroupOomControlRead($cg) | Should -Be "oom_kill_disable 1`nunder_oom 0`noom_kill 0`n"
        }

        It 'gives a new child its parent''s oom_kill_disable, which -OomKillDisable:$false clears' {
            $v1 = New-OomMachine -CgroupVersion 1
            New-OomCgroup -Machine $v1 -Path /batch -OomKillDisable | Out-Null
            (New-OomCgroup -Machine $v1 -Path /batch/a).OomKillDisable | Should -BeTrue
            (New-OomCgroup -Machine $v1 -Path /batch/b -OomKillDisable:$false).OomKillDisable | Should -BeFalse
        }

        It 'shows the counters with Format-List' {
            $v1 = New-OomMachine -CgroupVersion 1
            $text = New-OomCgroup -Machine $v1 -Path /batch -OomKillDisable | Format-List | Out-String
            # Labels are property names (issue 11): no "(v1)" after them.
            $text | Should -Match 'OomKillDisable\s+: True'
            $text | Should -Match 'UnderOom\s+: False'
            $text | Should -Match 'OomKill\s+: 0'
        }
    }

    Context '-WhatIf' {
        It 'creates nothing and writes nothing' {
            New-OomCgroup -Machine $m -Path /app -MemoryMax 1GB -WhatIf | Should -BeNullOrEmpty
            $m.FindCgroup('/app') | Should -BeNullOrEmpty
            @($m.Cgroups).Count | Should -Be 1
        }
    }

    Context 'pipeline' {
        It 'creates one cgroup per path piped in' {
            '/a', '/b' | New-OomCgroup -Machine $m | Out-Null
            @($m.Cgroups | ForEach-Object Path) | Should -Be @('/', '/a', '/b')
        }

        It 'binds Path, MemoryMax (or Limit), SwapMax and OomGroup by property name' {
            @(
                [pscustomobject]@{ Path = '/x'; MemoryMax = 1GB; OomGroup = $true }
                [pscustomobject]@{ Path = '/y'; Limit = 2GB; SwapMax = 1GB }
            ) | New-OomCgroup -Machine $m | Out-Null
            $x = $m.FindCgroup('/x'); $y = $m.FindCgroup('/y')
            $x.MemoryMax.Value | Should -Be 262144
            $x.OomGroup | Should -BeTrue
            $y.MemoryMax.Value | Should -Be 524288
            $y.SwapMax.Value | Should -Be 262144
        }
    }

    Context 'errors' {
        BeforeEach {
            New-OomCgroup -Machine $m -Path /app -MemoryMax 1GB | Out-Null
            $before = Get-OomMachineState $m
        }

        It 'refuses a path that exists with CgroupExists (ResourceExists) and keeps the existing cgroup' {
            $err = { New-OomCgroup -Machine $m -Path /app -MemoryMax 4GB -ErrorAction Stop } |
                Should -Throw -ErrorId 'CgroupExists,OomTools.Commands.NewOomCgroupCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ResourceExists'
            $err.Exception.Message | Should -BeLike "*'/app'*"
            $m.FindCgroup('/app').MemoryMax.Value | Should -Be 262144
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses to create the root again with CgroupExists' {
            { New-OomCgroup -Machine $m -Path / -ErrorAction Stop } |
                Should -Throw -ErrorId 'CgroupExists,OomTools.Commands.NewOomCgroupCommand'
        }

        It 'refuses a cgroup whose parent does not exist with CgroupNotFound (ObjectNotFound)' {
            $err = { New-OomCgroup -Machine $m -Path /missing/child -ErrorAction Stop } |
                Should -Throw -ErrorId 'CgroupNotFound,OomTools.Commands.NewOomCgroupCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -BeLike '*/missing*'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses a negative limit with NegativeSize, naming the value' {
            $err = { New-OomCgroup -Machine $m -Path /neg -MemoryMax -1 -ErrorAction Stop } |
                Should -Throw -ErrorId 'NegativeSize,OomTools.Commands.NewOomCgroupCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err.Exception.Message | Should -BeLike '*-1*'
            { New-OomCgroup -Machine $m -Path /neg -SwapMax -4096 -ErrorAction Stop } |
                Should -Throw -ErrorId 'NegativeSize,OomTools.Commands.NewOomCgroupCommand'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses memory.oom.group on cgroup v1 with InvalidArgument' {
            $v1 = New-OomMachine -CgroupVersion 1
            $err = { New-OomCgroup -Machine $v1 -Path /svc -OomGroup -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,OomTools.Commands.NewOomCgroupCommand' -PassThru
            $err.Exception.Message | Should -BeLike '*v2*'
            $v1.FindCgroup('/svc') | Should -BeNullOrEmpty
        }

        It 'refuses -OomKillDisable on cgroup v2 with InvalidArgument (no memory.oom_control there)' {
            $err = { New-OomCgroup -Machine $m -Path /nokill -OomKillDisable -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,OomTools.Commands.NewOomCgroupCommand' -PassThru
            $err.Exception.Message | Should -BeLike '*v1*'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses swappiness 201 with ParameterArgumentValidationError' {
            { New-OomCgroup -Machine $m -Path /s -Swappiness 201 -ErrorAction Stop } |
                Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.NewOomCgroupCommand'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'goes on with the next path after a refused one (non-terminating error)' {
            '/app', '/new' | New-OomCgroup -Machine $m -ErrorVariable ev -ErrorAction SilentlyContinue | Out-Null
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'CgroupExists,OomTools.Commands.NewOomCgroupCommand'
            $m.FindCgroup('/new') | Should -Not -BeNullOrEmpty
        }
    }

    Context '-Force: the missing parents too, as mkdir -p (issue 11)' {
        It 'makes /system.slice and /system.slice/postgresql.service in one call, the parent unlimited' {
            $m = New-OomMachine -Memory 16GB
            $cg = New-OomCgroup -Machine $m -Path /system.slice/postgresql.service -MemoryMax 4GB -Force
            $cg.Path | Should -Be '/system.slice/postgresql.service'
            $cg.MemoryMax.Value | Should -Be 1048576
            $parent = $m.FindCgroup('/system.slice')
            $parent | Should -Not -BeNullOrEmpty
            $cg.Parent | Should -Be $parent
            $parent.MemoryMax.Value | Should -Be $m.FindCgroup('/').MemoryMax.Value
        }

        It 'uses the parents that exist and makes the rest, three deep' {
            $m = New-OomMachine -Memory 16GB
            $a = New-OomCgroup -Machine $m -Path /a -MemoryMax 8GB
            New-OomCgroup -Machine $m -Path /a/b/c/d -Force | Out-Null
            $m.FindCgroup('/a') | Should -Be $a
            $a.MemoryMax.Value | Should -Be 2097152
            @('/a/b', '/a/b/c', '/a/b/c/d' | ForEach-Object { [bool]$m.FindCgroup($_) }) | Should -Be @($true, $true, $true)
        }

        It 'makes no parent when the call is refused (a v2 machine refuses -OomKillDisable)' {
            $m = New-OomMachine -Memory 16GB
            $before = Get-OomMachineState $m
            New-OomCgroup -Machine $m -Path /x/y -OomKillDisable -Force -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev[0].FullyQualifiedErrorId | Should -Be 'InvalidArgument,OomTools.Commands.NewOomCgroupCommand'
            Get-OomMachineState $m | Should -Be $before
            $m.FindCgroup('/x') | Should -BeNullOrEmpty
        }

        It 'makes no parent when the engine refuses a value (a negative limit)' {
            $m = New-OomMachine -Memory 16GB
            New-OomCgroup -Machine $m -Path /x/y -MemoryMax -1 -Force -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev[0].FullyQualifiedErrorId | Should -Be 'NegativeSize,OomTools.Commands.NewOomCgroupCommand'
            $m.FindCgroup('/x') | Should -BeNullOrEmpty
        }

        It 'still refuses an existing cgroup with CgroupExists' {
            $m = New-OomMachine -Memory 16GB
            New-OomCgroup -Machine $m -Path /a/b -Force | Out-Null
            New-OomCgroup -Machine $m -Path /a/b -Force -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev[0].FullyQualifiedErrorId | Should -Be 'CgroupExists,OomTools.Commands.NewOomCgroupCommand'
        }

        It 'on cgroup v1 the new parent inherits as mkdir does, and the child under it' {
            $m = New-OomMachine -Memory 16GB -CgroupVersion 1
            $cg = New-OomCgroup -Machine $m -Path /p/q -Swappiness 10 -Force
            $cg.Swappiness | Should -Be 10
            $m.FindCgroup('/p') | Should -Not -BeNullOrEmpty
        }
    }
}
