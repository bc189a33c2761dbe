BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Get-OomTask' {
    BeforeAll {
        $m = New-OomMachine -Name box
        New-OomCgroup -Machine $m -Path /app | Out-Null
        New-OomCgroup -Machine $m -Path /app/sub | Out-Null
        New-OomCgroup -Machine $m -Path /other | Out-Null
        Add-OomTask -Machine $m -Pid 1 -Name systemd -AnonRss 10MB
        Add-OomTask -Machine $m -Pid 300 -Name web-1 -AnonRss 1GB -Cgroup /app
        Add-OomTask -Machine $m -Pid 200 -Name web-2 -AnonRss 512MB -Cgroup /app/sub
        Add-OomTask -Machine $m -Pid 400 -Name DB -AnonRss 2GB -Cgroup /other
    }

    It 'returns every process in task-list (fork) order' {
        $tasks = Get-OomTask -Machine $m
        @($tasks | ForEach-Object Pid) | Should -Be @(1, 300, 200, 400)
        $tasks | ForEach-Object { $_ | Should -BeOfType ([OomTools.Engine.Model.OomTask]) }
    }

    It 'shows the kernel counters in pages and the cgroup path' {
        $t = Get-OomTask -Machine $m -Pid 300
        $t.Name | Should -Be 'web-1'
        $t.AnonPages.Value | Should -Be 262144
        $t.Rss.Value | Should -Be 262144
        $t.Cgroup | Should -Be '/app'
    }

    It 'selects by -Pid, keeping task-list order' {
        @(Get-OomTask -Machine $m -Pid 400, 300 | ForEach-Object Pid) | Should -Be @(300, 400)
    }

    It 'selects by -Name with wildcards, ignoring case' {
        @(Get-OomTask -Machine $m -Name 'WEB*' | ForEach-Object Pid) | Should -Be @(300, 200)
        @(Get-OomTask -Machine $m -Name 'db' | ForEach-Object Pid) | Should -Be @(400)
    }

    It 'selects by -Cgroup, including the cgroups below it' {
        @(Get-OomTask -Machine $m -Cgroup /app | ForEach-Object Pid) | Should -Be @(300, 200)
        @(Get-OomTask -Machine $m -Cgroup /app/sub | ForEach-Object Pid) | Should -Be @(200)
    }

    It 'combines filters: a process must match all of them' {
        @(Get-OomTask -Machine $m -Cgroup /app -Name '*-2' | ForEach-Object Pid) | Should -Be @(200)
        Get-OomTask -Machine $m -Cgroup /other -Name 'web*' | Should -BeNullOrEmpty
    }

    It 'writes nothing for a wildcard that matches nothing, without an error' {
        $out = Get-OomTask -Machine $m -Name 'nomatch*' -ErrorVariable ev
        $out | Should -BeNullOrEmpty
        $ev.Count | Should -Be 0
    }

    It 'returns nothing, without an error, for a machine without processes' {
        Get-OomTask -Machine (New-OomMachine) -ErrorVariable ev | Should -BeNullOrEmpty
        $ev.Count | Should -Be 0
    }

    Context 'pipeline' {
        It 'takes the machine from the pipeline' {
            @($m | Get-OomTask -Name 'web*' | ForEach-Object Pid) | Should -Be @(300, 200)
        }

        It 'takes the machine by property name, such as from an OOM outcome' {
            $x = New-OomMachine
            Add-OomTask -Machine $x -Pid 10 -Name a -AnonRss 1MB
            $outcome = Invoke-OutOfMemory -Machine $x -WhatIf
            @($outcome | Get-OomTask | ForEach-Object Pid) | Should -Be @(10)
        }

        It 'takes pids by property name' {
            @([pscustomobject]@{ Pid = 400 } | Get-OomTask -Machine $m | ForEach-Object Comm) | Should -Be @('DB')
        }
    }

    Context 'errors' {
        It 'reports a pid that is not there as TaskNotFound (non-terminating) and still returns the others' {
            $out = Get-OomTask -Machine $m -Pid 300, 999 -ErrorVariable ev -ErrorAction SilentlyContinue
            @($out | ForEach-Object Pid) | Should -Be @(300)
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'TaskNotFound,OomTools.Commands.GetOomTaskCommand'
            $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $ev[0].Exception.Message | Should -Match '\b999\b'
            $ev[0].TargetObject | Should -Be 999
        }

        It 'stops on TaskNotFound with -ErrorAction Stop' {
            { Get-OomTask -Machine $m -Pid 999 -ErrorAction Stop } |
                Should -Throw -ErrorId 'TaskNotFound,OomTools.Commands.GetOomTaskCommand'
        }

        It 'reports a name without wildcards that matches nothing as TaskNotFound' {
            Get-OomTask -Machine $m -Name 'nginx' -ErrorVariable ev -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'TaskNotFound,OomTools.Commands.GetOomTaskCommand'
            $ev[0].Exception.Message | Should -BeLike "*'nginx'*"
        }

        It 'reports a memory cgroup that does not exist as CgroupNotFound' {
            $err = { Get-OomTask -Machine $m -Cgroup /nope -ErrorAction Stop } |
                Should -Throw -ErrorId 'CgroupNotFound,OomTools.Commands.GetOomTaskCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -BeLike '*/nope*'
        }

        It 'changes nothing on the machine' {
            $before = Get-OomMachineState $m
            Get-OomTask -Machine $m | Out-Null
            Get-OomTask -Machine $m -Pid 999 -ErrorAction SilentlyContinue | Out-Null
            Get-OomMachineState $m | Should -Be $before
        }
    }
}
