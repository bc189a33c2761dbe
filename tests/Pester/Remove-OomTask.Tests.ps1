BeforeAll {
    . $PSScriptRoot/common.ps1
}

Describe 'Remove-OomTask' {
    BeforeEach {
        $m = New-OomMachine -Name box
        New-OomCgroup -Machine $m -Path /app | Out-Null
        New-OomCgroup -Machine $m -Path /app/sub | Out-Null
        Add-OomTask -Machine $m -Pid 100 -Name web-1 -AnonRss 1GB -Cgroup /app
        Add-OomTask -Machine $m -Pid 101 -Name web-2 -AnonRss 512MB -Cgroup /app/sub
        Add-OomTask -Machine $m -Pid 102 -Name db -AnonRss 2GB
    }

    Context 'removing processes' {
        It 'removes a process by -Pid from the task list and from its memory cgroup' {
            Remove-OomTask -Machine $m -Pid 100
            @($m.Tasks | ForEach-Object Pid) | Should -Be @(101, 102)
            $m.FindTask(100) | Should -BeNullOrEmpty
            $m.FindCgroup('/app').Tasks.Count | Should -Be 0
        }

        It 'removes by -Name with wildcards' {
            Remove-OomTask -Machine $m -Name 'web*'
            @($m.Tasks | ForEach-Object Pid) | Should -Be @(102)
        }

        It 'removes every process of a memory cgroup and the cgroups below it with -Cgroup' {
            Remove-OomTask -Machine $m -Cgroup /app
            @($m.Tasks | ForEach-Object Pid) | Should -Be @(102)
        }

        It 'removes the tasks piped in from Get-OomTask' {
            Get-OomTask -Machine $m -Pid 100, 102 | Remove-OomTask -Machine $m
            @($m.Tasks | ForEach-Object Pid) | Should -Be @(101)
        }

        It 'binds Pid by property name' {
            [pscustomobject]@{ Pid = 101 } | Remove-OomTask -Machine $m
            @($m.Tasks | ForEach-Object Pid) | Should -Be @(100, 102)
        }

        It 'writes nothing without -PassThru and the removed tasks with it' {
            Remove-OomTask -Machine $m -Pid 100 | Should -BeNullOrEmpty
            $out = Remove-OomTask -Machine $m -Pid 101 -PassThru
            $out.Pid | Should -Be 101
            $out | Should -BeOfType ([OomTools.Engine.Model.OomTask])
        }

        It 'frees the pid for a new process' {
            Remove-OomTask -Machine $m -Pid 100
            Add-OomTask -Machine $m -Pid 100 -Name reborn
            $m.FindTask(100).Comm | Should -Be 'reborn'
        }
    }

    Context 'the exit of an OOM victim' {
        It 'ends the victim (exit_oom_victim), so the next OOM kills again instead of waiting for it' {
            $first = Invoke-OutOfMemory -Machine $m
            $first.Victim.Pid | Should -Be 102
            $m.OomVictims | Should -Be 1
            (Invoke-OutOfMemory -Machine $m -WhatIf).Aborted | Should -BeTrue

            Remove-OomTask -Machine $m -Pid 102
            $m.OomVictims | Should -Be 0
            $second = Invoke-OutOfMemory -Machine $m
            $second.Aborted | Should -BeFalse
            $second.Victim.Pid | Should -Be 100
        }

        It 'sets MMF_OOM_SKIP when the last user of the mm exits (exit_mmap)' {
            $t = Remove-OomTask -Machine $m -Pid 102 -PassThru
            $t.Mm.Has([OomTools.Engine.Model.MmFlags]::OomSkip) | Should -BeTrue
            $t.Mm.Users | Should -Be 0
        }

        It 'leaves a shared mm live while another process still uses it' {
            Add-OomTask -Machine $m -Pid 600 -Name parent -AnonRss 1GB
            Add-OomTask -Machine $m -Pid 601 -Name child -SharesMemoryWith 600
            Remove-OomTask -Machine $m -Pid 600
            $child = $m.FindTask(601)
            $child.Mm.Has([OomTools.Engine.Model.MmFlags]::OomSkip) | Should -BeFalse
            $child.Mm.Users | Should -Be 1
            (Get-OomBadness -Machine $m -Pid 601).Points | Should -Be 262144
        }
    }

    Context '-WhatIf' {
        It 'removes nothing and writes nothing' {
            $before = Get-OomMachineState $m
            Remove-OomTask -Machine $m -Name * -PassThru -WhatIf | Should -BeNullOrEmpty
            Get-OomMachineState $m | Should -Be $before
        }
    }

    Context 'errors' {
        BeforeEach {
            $before = Get-OomMachineState $m
        }

        It 'reports a pid that is not there as TaskNotFound (non-terminating) and removes none of the others (issue 10, case 4)' {
            Remove-OomTask -Machine $m -Pid 999, 100 -ErrorVariable ev -ErrorAction SilentlyContinue
            $ev.Count | Should -Be 1
            $ev[0].FullyQualifiedErrorId | Should -Be 'TaskNotFound,OomTools.Commands.RemoveOomTaskCommand'
            $ev[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $ev[0].Exception.Message | Should -Match '\b999\b'
            @($m.Tasks | ForEach-Object Pid) | Should -Be @(100, 101, 102)
            Get-OomMachineState $m | Should -Be $before
        }

        It 'stops on TaskNotFound with -ErrorAction Stop and removes nothing' {
            { Remove-OomTask -Machine $m -Pid 999 -ErrorAction Stop } |
                Should -Throw -ErrorId 'TaskNotFound,OomTools.Commands.RemoveOomTaskCommand'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'refuses a task of another machine with TaskNotFound' {
            $other = New-OomMachine -Name other
            Add-OomTask -Machine $other -Pid 100 -Name web-1
            { Get-OomTask -Machine $other -Pid 100 | Remove-OomTask -Machine $m -ErrorAction Stop } |
                Should -Throw -ErrorId 'TaskNotFound,OomTools.Commands.RemoveOomTaskCommand'
            Get-OomMachineState $m | Should -Be $before
            $other.TaskCount | Should -Be 1
        }

        It 'reports a memory cgroup that does not exist as CgroupNotFound' {
            $err = { Remove-OomTask -Machine $m -Cgroup /nope -ErrorAction Stop } |
                Should -Throw -ErrorId 'CgroupNotFound,OomTools.Commands.RemoveOomTaskCommand' -PassThru
            $err.CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err.Exception.Message | Should -BeLike '*/nope*'
            Get-OomMachineState $m | Should -Be $before
        }

        It 'stops with InvalidArgument when no process is selected, rather than removing everything' {
            { Remove-OomTask -Machine $m -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,OomTools.Commands.RemoveOomTaskCommand'
            Get-OomMachineState $m | Should -Be $before
        }
    }
}
