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

        It 'reads DiesBefore as PowerShell reads a list: by index, past the end, -contains, -join and in JSON' {
            $r.DiesBefore.Count | Should -Be 4
            $r.DiesBefore[0] | Should -Be '400 (cache)'
            $r.DiesBefore[-1] | Should -Be '500 (batch-2)'
            # As a List's: past the end is nothing, or an error under strict mode.
            & { Set-StrictMode -Off; $r.DiesBefore[4] } | Should -BeNullOrEmpty
            { Set-StrictMode -Version Latest; $r.DiesBefore[4] } | Should -Throw '*no earlier victim*'
            $r.DiesBefore -contains '200 (web)' | Should -BeTrue
            $r.DiesBefore -join '; ' | Should -Be '400 (cache); 301 (batch-helper); 200 (web); 500 (batch-2)'
            ($r | ConvertTo-Json -Depth 1 | ConvertFrom-Json).DiesBefore | Should -Be @('400 (cache)', '301 (batch-helper)', '200 (web)', '500 (batch-2)')
            ($r | Format-List DiesBefore | Out-String) | Should -Match ([regex]::Escape('{400 (cache), 301 (batch-helper), 200 (web), 500 (batch-2)}'))
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

Describe 'Test-OomProtection: services, not pids' {
    BeforeAll {
        # 16 GiB, no swap. A postgres unit of four processes (a 2 GiB postmaster, three 100 MiB backends) with no
        # memory limit of its own, a 3 GiB JVM and a 1 GiB batch job. Global ranking: java 786432, postgres 4321
        # 524288, batch 262144, backends 25600 each (the later one wins a tie).
        $m = New-OomMachine -Name db01
        New-OomCgroup -Machine $m -Path /system.slice | Out-Null
        New-OomCgroup -Machine $m -Path /system.slice/postgresql.service | Out-Null
        Add-OomTask -Machine $m -Pid 1 -Name systemd -Rss 12MB
        Add-OomTask -Machine $m -Pid 4321 -Name postgres -AnonRss 2GB -Cgroup /system.slice/postgresql.service
        foreach ($p in 4322..4324) { Add-OomTask -Machine $m -Pid $p -Name postgres -AnonRss 100MB -Cgroup /system.slice/postgresql.service }
        Add-OomTask -Machine $m -Pid 1234 -Name java -AnonRss 3GB
        Add-OomTask -Machine $m -Pid 2000 -Name batch -AnonRss 1GB
    }

    Context 'a name that several processes share' {
        BeforeAll { $r = @(Test-OomProtection -Machine $m -Name postgres -Kills 2) }

        It 'is one row for the service, with how many processes it has' {
            $r.Count | Should -Be 1
            $r[0].Service | Should -Be 'postgres'
            $r[0].ProcessCount | Should -Be 4
            @($r[0].Processes | ForEach-Object Pid) | Should -Be @(4321, 4322, 4323, 4324)
        }

        It 'describes the first of them to die, and when' {
            $r[0].Pid | Should -Be 4321
            $r[0].KillPosition | Should -Be 2
            @($r[0].DiesBefore) | Should -Be @('1234 (java)')
            $r[0].Protected | Should -BeFalse
        }

        It 'finds one oom_score_adj for all of them: -63' {
            # The postmaster must stay below batch's 262144: 524288 + 4194a <= 262144 -> a <= -62.5. The backends
            # (25600 + 4194a) stay below batch at -63 too.
            $r[0].MaxSafeOomScoreAdj | Should -Be -63
            $r[0].MaxSafeReason | Should -BeNullOrEmpty
        }

        It 'says by how many pages it misses, against whom' {
            $r[0].NeedsPages | Should -Be 262145      # 524288 - 262144 + 1
            $r[0].GapTo | Should -Be '2000 (batch)'
            $r[0].Verdict | Should -Be ('postgres (pid 4321), the first of the 4 processes of postgres to die, dies in OOM #2, after 1234 (java); ' +
                'it would need oom_score_adj <= -63 (now 0) on all of them; it outscores 2000 (batch), the next victim in its place, by 262145 pages (1 GiB): it would need that much less memory')
        }

        It 'with -Detail is one row per process' {
            $d = @(Test-OomProtection -Machine $m -Name postgres -Kills 2 -Detail)
            @($d | ForEach-Object Pid) | Should -Be @(4321, 4322, 4323, 4324)
            @($d | ForEach-Object Service) | Should -Be @('postgres', 'postgres', 'postgres', 'postgres')
            @($d | ForEach-Object ProcessCount) | Should -Be @(1, 1, 1, 1)
            @($d | ForEach-Object KillPosition) | Should -Be @(2, 6, 5, 4)
        }

        It 'shows the process count in the default view' {
            ($r | Out-String -Width 80) | Should -Match 'postgres \(4 processes\)'
        }
    }

    Context 'by -Pid' {
        It 'is one row per pid, in task-list order' {
            $r = @(Test-OomProtection -Machine $m -Pid 1234, 4322)
            @($r | ForEach-Object Pid) | Should -Be @(4322, 1234)
            @($r | ForEach-Object Service) | Should -Be @('pid 4322', 'pid 1234')
            @($r | ForEach-Object ProcessCount) | Should -Be @(1, 1)
            ($r | Where-Object Pid -EQ 1234).KillPosition | Should -Be 1
        }

        It 'a pid the machine does not have is TaskNotFound, the others are still tested' {
            $r = Test-OomProtection -Machine $m -Pid 99999, 2000 -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'TaskNotFound,OomTools.Commands.TestOomProtectionCommand'
            $err[0].Exception.Message | Should -Match '99999'
            $r.Pid | Should -Be 2000
        }
    }

    Context 'by -Cgroup (a systemd unit)' {
        It 'is one row for the unit and everything under it, in a global OOM when no cgroup above has a limit' {
            $r = @(Test-OomProtection -Machine $m -Cgroup /system.slice/postgresql.service -Kills 2)
            $r.Count | Should -Be 1
            $r[0].Service | Should -Be '/system.slice/postgresql.service'
            $r[0].ProcessCount | Should -Be 4
            $r[0].Domain | Should -Be 'global'
            $r[0].KillPosition | Should -Be 2         # after java, as in a global OOM: not alone in its own cgroup
            $r[0].MaxSafeOomScoreAdj | Should -Be -63
        }

        It 'a unit under a limited parent is tested in that parent''s memcg OOM' {
            # /limited holds 4 GiB = 1048576 pages: app 262144 points ranks above sidecar 131072 and dies first.
            $l = New-OomMachine -Name limited
            New-OomCgroup -Machine $l -Path /limited -MemoryMax 4GB | Out-Null
            New-OomCgroup -Machine $l -Path /limited/app.service | Out-Null
            Add-OomTask -Machine $l -Pid 1 -Name systemd -Rss 12MB
            Add-OomTask -Machine $l -Pid 3000 -Name app -AnonRss 1GB -Cgroup /limited/app.service
            Add-OomTask -Machine $l -Pid 3001 -Name sidecar -AnonRss 512MB -Cgroup /limited
            Add-OomTask -Machine $l -Pid 4000 -Name big -AnonRss 8GB
            $r = Test-OomProtection -Machine $l -Cgroup /limited/app.service
            $r.Domain | Should -Be '/limited'
            $r.Pid | Should -Be 3000
            $r.KillPosition | Should -Be 1
            @($r.DiesBefore).Count | Should -Be 0
        }

        It 'a cgroup with a limit of its own is still its own OOM' {
            $l = New-OomMachine -Name limited
            New-OomCgroup -Machine $l -Path /limited -MemoryMax 4GB | Out-Null
            Add-OomTask -Machine $l -Pid 3001 -Name sidecar -AnonRss 512MB -Cgroup /limited
            (Test-OomProtection -Machine $l -Cgroup /limited -Name sidecar).Domain | Should -Be '/limited'
        }

        It 'a cgroup the machine does not have is CgroupNotFound' {
            Test-OomProtection -Machine $m -Cgroup /system.slice/nosuch.service -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'CgroupNotFound,OomTools.Commands.TestOomProtectionCommand'
        }
    }

    Context 'nothing selected' {
        It 'is InvalidArgument, naming the parameters' {
            { Test-OomProtection -Machine $m -ErrorAction Stop } |
                Should -Throw -ErrorId 'InvalidArgument,OomTools.Commands.TestOomProtectionCommand' -ExpectedMessage '*-Name, -Pid or -Cgroup*'
        }
    }

    Context 'an empty highest safe adj' {
        It 'says why: at -999 the third OOM still takes a postgres process' {
            # Three OOMs need three victims; only java and batch are not postgres.
            $r = Test-OomProtection -Machine $m -Cgroup /system.slice/postgresql.service -Kills 3
            $r.MaxSafeOomScoreAdj | Should -BeNullOrEmpty
            $r.MaxSafeReason | Should -Be ('even at oom_score_adj -999 postgres (pid 4321) dies in OOM #3, after 1234 (java), 2000 (batch): ' +
                'only 2 other process(es) can be killed before it (the rest are exempt, unkillable or already gone); only -1000 (OOM_SCORE_ADJ_MIN) keeps it out of the first 3 OOM(s)')
            $r.Verdict | Should -BeLike '*; even at oom_score_adj -999 postgres (pid 4321) dies in OOM #3*'
        }

        It 'is blank when a value works' {
            (Test-OomProtection -Machine $m -Name batch).MaxSafeReason | Should -Be ''
        }
    }
    Context 'progress' {
        It 'writes progress records only when it goes through several services (one audit takes milliseconds)' {
            $f = New-Fleet
            # A runspace of its own: the module imported, $ProgressPreference at its default (Continue).
            $iss = [initialsessionstate]::CreateDefault2()
            $iss.ImportPSModule((Resolve-Path $ModuleManifestPath).Path)
            $count = {
                param($names)
                $ps = [powershell]::Create($iss)
                try {
                    $null = $ps.AddCommand('Test-OomProtection').AddParameter('Machine', $f).AddParameter('Name', $names).Invoke()
                    $ps.HadErrors | Should -BeFalse -Because (($ps.Streams.Error | ForEach-Object { $_.ToString() }) -join "; ")
                    $ps.Streams.Progress.Count
                } finally { $ps.Runspace.Dispose(); $ps.Dispose() }
            }
            & $count @('db') | Should -Be 0
            # Three services: a record for each, and the closing one.
            & $count @('db', 'web', 'cache') | Should -Be 4
        }
    }

    Context 'a fleet audited in batches through ForEach-Object -Parallel (README, Fleets)' {
        It 'gives every machine the report the same audit gives one after another, on machines each runspace changes' {
            $manifest = (Resolve-Path $ModuleManifestPath).Path
            # Six machines that differ: the web process grows on each, so its rank and safe adj move.
            $fleet = foreach ($i in 1..6) {
                $f = New-Fleet
                $f.Name = "fleet-$i"
                Set-OomTask -Machine $f -Pid 200 -AnonRss ($i * 512MB) -Confirm:$false
                $f
            }
            $key = { '{0}|{1}|{2}|{3}|{4}|{5}' -f $_.Pid, $_.Rank, $_.Points, $_.KillPosition, $_.Protected, $_.MaxSafeOomScoreAdj }
            $expected = @($fleet | ForEach-Object { Test-OomProtection -Machine $_ -Name web -Kills 2 } | ForEach-Object $key)
            $n = 3
            $batches = foreach ($b in 0..($n - 1)) { , @(for ($i = $b; $i -lt $fleet.Count; $i += $n) { $fleet[$i] }) }
            $got = @($batches | ForEach-Object -ThrottleLimit 3 -Parallel {
                    Import-Module $using:manifest
                    $_ | ForEach-Object { Test-OomProtection -Machine $_ -Name web -Kills 2 }
                })
            $got.Count | Should -Be 6
            # -Parallel returns them in the order they finish: each report names its machine.
            $byMachine = @{}
            foreach ($g in $got) { $byMachine[$g.Machine.Name] = $g }
            $fleet | ForEach-Object { [object]::ReferenceEquals($byMachine[$_.Name].Machine, $_) | Should -BeTrue }
            $actual = @($fleet | ForEach-Object { $byMachine[$_.Name] } | ForEach-Object $key)
            $actual | Should -Be $expected
            # The audits put back what they changed.
            $fleet | ForEach-Object { (Get-OomTask -Machine $_ -Pid 200).OomScoreAdj.Value | Should -Be 0 }
        }
    }
}
