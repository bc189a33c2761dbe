BeforeAll {
    . $PSScriptRoot/common.ps1

    function New-Fleet {
        # The machine of Get-OomKillOrder.Tests.ps1. 16GB, no swap: one adj point = 4194 pages. Global ranking:
        # cache 1323736 (1), batch-helper 655360 (2), batch 655360 (3), web 328704 (4), batch-2 16384 (5),
        # db -1048424 (6); pinned (-1000), systemd (init) never.
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

Describe 'Test-OomProtection' {
    BeforeAll { $m = New-Fleet }

    Context 'one critical process' {
        BeforeAll { $r = Test-OomProtection -Machine $m -Name db }

        It 'returns a ProtectionReport' {
            $r | Should -BeOfType ([OomTools.Engine.Audit.ProtectionReport])
            $r.Pid | Should -Be 100
            $r.OomScoreAdj | Should -Be -500
            $r.Kills | Should -Be 1
        }

        It 'ranks it 6th, 1064808 pages below batch-2' {
            $r.Rank | Should -Be 6
            $r.Points | Should -Be -1048424
            $r.Above | Should -Be 500
            $r.MarginPages | Should -Be 1064808      # 16384 - (-1048424)
        }

        It 'places it 5th in the kill order, after four others' {
            $r.KillPosition | Should -Be 5
            @($r.DiesBefore) | Should -Be @('400 (cache)', '301 (batch-helper)', '200 (web)', '500 (batch-2)')
            $r.Protected | Should -BeTrue
        }

        It 'finds the highest safe oom_score_adj for one kill: 65' {
            # db scores 1048576 + 4194a and must not pass cache's 1323736 (a tie goes to cache, the later task):
            # 4194a <= 275160 -> a <= 65.6. At 66 it would be 1325380 and die first.
            $r.MaxSafeOomScoreAdj | Should -Be 65
        }
    }

    Context '-Kills' {
        It 'for 3 kills it must stay under web''s 328704: -172' {
            # 1048576 + 4194a <= 328704 -> a <= -171.6
            $r = Test-OomProtection -Machine $m -Name db -Kills 3
            $r.MaxSafeOomScoreAdj | Should -Be -172
            $r.Protected | Should -BeTrue
        }

        It 'for 5 kills nothing protects it: it is the last killable process' {
            $r = Test-OomProtection -Machine $m -Name db -Kills 5
            $r.Protected | Should -BeFalse
            $r.MaxSafeOomScoreAdj | Should -BeNullOrEmpty
        }
    }

    Context 'several processes' {
        It 'takes wildcards and reports in task-list order' {
            $r = @(Test-OomProtection -Machine $m -Name 'batch*')
            @($r.Pid) | Should -Be @(300, 301, 500)
            @($r | ForEach-Object Rank) | Should -Be @(3, 2, 5)    # not $r.Rank: an array has a Rank of its own
            ($r | Where-Object Pid -EQ 300).MarginPages | Should -Be 0    # tied with batch-helper
        }

        It 'the first victim is not protected and has no margin' {
            $r = Test-OomProtection -Machine $m -Name cache
            $r.Rank | Should -Be 1
            $r.MarginPages | Should -BeNullOrEmpty
            $r.Protected | Should -BeFalse
            @($r.DiesBefore).Count | Should -Be 0
        }

        It 'an unkillable process ranks 0 and is protected' {
            $r = Test-OomProtection -Machine $m -Name pinned, systemd
            @($r | ForEach-Object Rank) | Should -Be @(0, 0)
            @($r.Protected) | Should -Be @($true, $true)
            ($r | Where-Object Pid -EQ 1).MaxSafeOomScoreAdj | Should -Be 1000    # init is never killed
        }

        It 'a name that matches nothing is TaskNotFound, and the others are still reported' {
            $r = Test-OomProtection -Machine $m -Name nosuch, web -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'TaskNotFound,OomTools.Commands.TestOomProtectionCommand'
            $r.Pid | Should -Be 200
        }
    }

    Context 'in a memory cgroup (-Cgroup)' {
        It 'ranks inside the cgroup and scales the adj by its limit' {
            $r = Test-OomProtection -Machine $m -Cgroup /batch -Name batch-2
            $r.Rank | Should -Be 3
            $r.Above | Should -Be 300
            $r.MarginPages | Should -Be 638976        # 655360 - 16384
            $r.KillPosition | Should -Be 2
            # totalpages = 4GB = 1048576, one adj point = 1048 pages; batch-2 is later than batch-helper in the
            # cgroup, so it must stay strictly below 655360: 16384 + 1048a < 655360 -> a <= 609.
            $r.MaxSafeOomScoreAdj | Should -Be 609
        }

        It 'a process outside the cgroup is not found there' {
            Test-OomProtection -Machine $m -Cgroup /batch -Name db -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'TaskNotFound,OomTools.Commands.TestOomProtectionCommand'
        }
    }

    Context 'the machine' {
        It 'is left as it was' {
            $before = Get-OomMachineState -Machine $m
            Test-OomProtection -Machine $m -Name db, web -Kills 3 | Out-Null
            Get-OomMachineState -Machine $m | Should -Be $before
        }

        It 'comes by property name from the pipeline' {
            ([pscustomobject]@{ Machine = $m } | Test-OomProtection -Name db).Rank | Should -Be 6
        }
    }
}
