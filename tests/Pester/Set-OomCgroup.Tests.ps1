BeforeAll {
    . $PSScriptRoot/common.ps1

    # cgroup v1: /batch limited to 1GB (262144 pages) with oom_kill_disable; loader 600MB and sorter 300MB in it.
    # sorter asks for 200MB (51200 pages): 31744 fit, 19456 wait.
    function New-WaitingMachine {
        $v1 = New-OomMachine -Name db01 -Memory 8GB -CgroupVersion 1
        New-OomCgroup -Machine $v1 -Path /batch -MemoryMax 1GB -OomKillDisable | Out-Null
        Add-OomTask -Machine $v1 -Pid 700 -Name loader -AnonRss 600MB -Cgroup /batch
        Add-OomTask -Machine $v1 -Pid 701 -Name sorter -AnonRss 300MB -Cgroup /batch
        $script:waitEvents = @(Invoke-OomAllocation -Machine $v1 -Pid 701 -Size 200MB)
        $v1
    }
}

Describe 'Set-OomCgroup' {
    Context 'a charge waiting under oom_kill_disable' {
        BeforeEach {
            $m = New-WaitingMachine
            $cg = $m.FindCgroup('/batch')
        }

        It 'waited: no kill, nothing printed, under_oom 1, one oom event, a MemcgOomWait event' {
            $script:waitEvents[-1].Kind | Should -Be 'MemcgOomWait'
            $script:waitEvents[-1].Pages | Should -Be 19456
            @($script:waitEvents | Where-Object Kind -EQ 'OutOfMemory').Count | Should -Be 0
            $m.Log.Count | Should -Be 0
            $m.FindTask(700) | Should -Not -BeNullOrEmpty
            $cg.UnderOom | Should -BeTrue
            $cg.Oom | Should -Be 1
            $cg.OomKill | Should -Be 0
            @($m.MemcgOomWaiters).Count | Should -Be 1
            $m.MemcgOomWaiters[0].PagesLeft.Value | Should -Be 19456
        }

        It 'clears oom_kill_disable with -OomKillDisable:$false: the charge retries, kills and gets its memory' {
            $events = @(Set-OomCgroup -Machine $m -Cgroup /batch -OomKillDisable:$false)
            @($events | ForEach-Object Kind) | Should -Be @('OutOfMemory', 'Exit', 'Allocated')
            $events[0].Outcome.Victim.Pid | Should -Be 700
            $m.FindTask(700) | Should -BeNullOrEmpty
            $m.FindTask(701).AnonPages.Value | Should -Be 128000
            $cg.OomKillDisable | Should -BeFalse
            $cg.UnderOom | Should -BeFalse
            $cg.OomKill | Should -Be 1
            $cg.Oom | Should -Be 2
            @($m.MemcgOomWaiters).Count | Should -Be 0
        }

        It 'raises the limit with -MemoryMax: the charge fits, nothing is killed' {
            $events = @(Set-OomCgroup -Machine $m -Cgroup /batch -MemoryMax 2GB)
            @($events | ForEach-Object Kind) | Should -Be @('Allocated')
            $cg.MemoryMax.Value | Should -Be 524288
            $m.FindTask(700) | Should -Not -BeNullOrEmpty
            $cg.UnderOom | Should -BeFalse
            $cg.OomKillDisable | Should -BeTrue
            $cg.OomKill | Should -Be 0
        }

        It 'lets the charge go on after a process of the cgroup exits (Remove-OomTask, then Step-OomTime)' {
            Remove-OomTask -Machine $m -Pid 700
            $cg.UnderOom | Should -BeFalse
            $events = @(Step-OomTime -Machine $m -Milliseconds 1)
            $events[-1].Kind | Should -Be 'Allocated'
            $m.FindTask(701).AnonPages.Value | Should -Be 128000
            $cg.OomKill | Should -Be 0
        }

        It 'writes the cgroup after the events with -PassThru, and takes it from the pipeline' {
            $out = @($cg | Set-OomCgroup -Machine $m -MemoryMax 2GB -PassThru)
            $out[-1] | Should -BeOfType ([OomTools.Engine.Model.MemoryCgroup])
            $out[-1].Path | Should -Be '/batch'
            $out[0] | Should -BeOfType ([OomTools.Engine.Timeline.TimelineEvent])
        }

        It 'changes nothing with -WhatIf' {
            Set-OomCgroup -Machine $m -Cgroup /batch -OomKillDisable:$false -WhatIf | Should -BeNullOrEmpty
            $cg.OomKillDisable | Should -BeTrue
            $cg.UnderOom | Should -BeTrue
            $m.FindTask(700) | Should -Not -BeNullOrEmpty
        }
    }

    Context 'errors' {
        It 'refuses -OomKillDisable on cgroup v2 with InvalidArgument' {
            $v2 = New-OomMachine
            New-OomCgroup -Machine $v2 -Path /app | Out-Null
            { Set-OomCgroup -Machine $v2 -Cgroup /app -OomKillDisable -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,OomTools.Commands.SetOomCgroupCommand'
        }

        It 'refuses a limit below what the cgroup has charged with InvalidState' {
            $m = New-WaitingMachine
            { Set-OomCgroup -Machine $m -Cgroup /batch -MemoryMax 512MB -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidState,OomTools.Commands.SetOomCgroupCommand'
            $m.FindCgroup('/batch').MemoryMax.Value | Should -Be 262144
        }

        It 'refuses a missing cgroup with CgroupNotFound, and a call that changes nothing with InvalidArgument' {
            $m = New-OomMachine -CgroupVersion 1
            { Set-OomCgroup -Machine $m -Cgroup /nope -MemoryMax 1GB -ErrorAction Stop } |
                Should -Throw -ErrorId 'CgroupNotFound,OomTools.Commands.SetOomCgroupCommand'
            New-OomCgroup -Machine $m -Path /app | Out-Null
            { Set-OomCgroup -Machine $m -Cgroup /app -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,OomTools.Commands.SetOomCgroupCommand'
        }
    }
}
