# Should -SurviveOom and Should -BeKilledBefore: registered when the module is imported with Pester 5 loaded
# (common.ps1 imports it inside this Pester run), passing and failing with messages that say who dies when.
BeforeAll {
    . $PSScriptRoot/common.ps1

    # 16 GiB, no swap: one adj point = 4194 pages. A postgres unit (a 2 GiB postmaster and three 100 MiB backends,
    # no memory limit), a 3 GiB JVM, a 1 GiB batch job. Kill order: java, postgres 4321, batch, then the backends.
    function New-DbHost {
        $m = New-OomMachine -Name db01
        New-OomCgroup -Machine $m -Path /system.slice | Out-Null
        New-OomCgroup -Machine $m -Path /system.slice/postgresql.service | Out-Null
        New-OomCgroup -Machine $m -Path /jobs -MemoryMax 2GB | Out-Null
        Add-OomTask -Machine $m -Pid 1 -Name systemd -Rss 12MB
        Add-OomTask -Machine $m -Pid 4321 -Name postgres -AnonRss 2GB -Cgroup /system.slice/postgresql.service
        foreach ($p in 4322..4324) { Add-OomTask -Machine $m -Pid $p -Name postgres -AnonRss 100MB -Cgroup /system.slice/postgresql.service }
        Add-OomTask -Machine $m -Pid 1234 -Name java -AnonRss 3GB
        Add-OomTask -Machine $m -Pid 2000 -Name batch -AnonRss 1GB
        Add-OomTask -Machine $m -Pid 5000 -Name job -AnonRss 600MB -Cgroup /jobs
        Add-OomTask -Machine $m -Pid 5001 -Name job-helper -AnonRss 200MB -Cgroup /jobs
        $m
    }
    $m = New-DbHost
}

Describe 'Pester operators' {
    It 'are registered by importing the module with Pester 5 loaded' {
        @(Get-ShouldOperator | ForEach-Object Name) | Should -Contain 'SurviveOom'
        @(Get-ShouldOperator | ForEach-Object Name) | Should -Contain 'BeKilledBefore'
    }

    It 'stay registered once when the module is imported again' {
        Import-Module $ModuleManifestPath -Force -ErrorAction Stop
        @(Get-ShouldOperator | Where-Object Name -EQ 'SurviveOom').Count | Should -Be 1
    }

    Context 'Should -SurviveOom' {
        It 'passes for a service that survives the first OOM' {
            $m | Should -SurviveOom -Name postgres
        }

        It 'passes by pid, and for init whatever the count' {
            $m | Should -SurviveOom -ProcessId 4322 -Count 3
            $m | Should -SurviveOom -ProcessId 1 -Count 100
        }

        It 'fails saying who dies in which OOM, after whom, and by how much' {
            { $m | Should -SurviveOom -Name postgres -Count 2 } | Should -Throw -ExpectedMessage (
                'Expected postgres to survive the first 2 global OOMs, but postgres (pid 4321), the first of the 4 processes of postgres to die, ' +
                'dies in OOM #2, after 1234 (java); it would need oom_score_adj <= -63 (now 0) on all of them; ' +
                'it outscores 2000 (batch), the next victim in its place, by 262145 pages (1 GiB): it would need that much less memory.')
        }

        It 'takes a unit''s cgroup: one service, in a global OOM when it has no limit' {
            { $m | Should -SurviveOom -Cgroup /system.slice/postgresql.service -Count 2 -Because 'the database must outlive a leak' } |
                Should -Throw -ExpectedMessage 'Expected /system.slice/postgresql.service to survive the first 2 global OOMs, because the database must outlive a leak, but postgres (pid 4321), the first of the 4 processes of /system.slice/postgresql.service to die, dies in OOM #2*'
        }

        It 'takes a limited cgroup as the OOM domain' {
            # In /jobs (2 GiB = 524288 pages) job scores 153600 and dies first, job-helper (51200) second.
            { $m | Should -SurviveOom -Cgroup /jobs -Name job } | Should -Throw -ExpectedMessage 'Expected job, /jobs to survive the first 1 OOMs of memory cgroup /jobs, but job (pid 5000) dies in OOM #1, as the first victim*'
            $m | Should -Not -SurviveOom -Cgroup /jobs -Name job-helper -Count 2
        }

        It 'gives the reason when no oom_score_adj protects it' {
            # Five OOMs need five victims; only four processes are not postgres.
            { $m | Should -SurviveOom -Cgroup /system.slice/postgresql.service -Count 5 } |
                Should -Throw -ExpectedMessage '*dies in OOM #2, after 1234 (java); even at oom_score_adj -999 postgres (pid 4321) dies in OOM #5, after 1234 (java), 2000 (batch), 5000 (job), 5001 (job-helper): only 4 other process(es) can be killed before it*only -1000 (OOM_SCORE_ADJ_MIN) keeps it out of the first 5 OOM(s)*'
        }

        It 'with -Not fails for a process that survives' {
            $m | Should -Not -SurviveOom -Name java
            { $m | Should -Not -SurviveOom -Name batch } | Should -Throw -ExpectedMessage 'Expected batch not to survive the first 1 global OOMs, but it does: batch (pid 2000) dies in OOM #3*'
        }

        It 'fails clearly for a name the machine does not have, or no machine' {
            { $m | Should -SurviveOom -Name nosuch } | Should -Throw -ExpectedMessage "Expected nosuch to survive the first 1 OOM(s), but Machine 'db01' has no process named 'nosuch'."
            { 'db01' | Should -SurviveOom -Name postgres } | Should -Throw -ExpectedMessage 'Expected an OomTools machine*but got System.String.'
        }

        It 'leaves the machine as it was' {
            $before = Get-OomMachineState -Machine $m
            { $m | Should -SurviveOom -Name postgres -Count 2 } | Should -Throw
            Get-OomMachineState -Machine $m | Should -Be $before
        }
    }

    Context 'Should -BeKilledBefore' {
        It 'passes when a process of -Name dies first (the other by name, positionally, or by pid)' {
            $m | Should -BeKilledBefore postgres -Name java
            $m | Should -BeKilledBefore -Other postgres -Name java
            $m | Should -BeKilledBefore -Other 4322 -Name batch
            $m | Should -BeKilledBefore -Other systemd -ProcessId 4324      # init is never killed
        }

        It 'fails saying who dies when and by how many pages' {
            { $m | Should -BeKilledBefore java -Name batch -Because 'batch is expendable' } | Should -Throw -ExpectedMessage (
                'Expected batch to be killed before java, because batch is expendable, but java (pid 1234) dies in OOM #1, as the first victim; ' +
                'batch (pid 2000) only in OOM #3; batch scores 524289 pages (2 GiB) too few to be chosen first (262144 vs 786432 points).')
        }

        It 'fails for the service that dies first: postgres is killed before batch' {
            { $m | Should -BeKilledBefore -Other postgres -Name batch } |
                Should -Throw -ExpectedMessage 'Expected batch to be killed before postgres, but postgres (pid 4321) dies in OOM #2, after 1234 (java); batch (pid 2000) only in OOM #3;*'
        }

        It 'with -Not' {
            $m | Should -Not -BeKilledBefore java -Name batch
            { $m | Should -Not -BeKilledBefore postgres -Name java } |
                Should -Throw -ExpectedMessage 'Expected java not to be killed before postgres, but java (pid 1234) dies in OOM #1 and postgres (pid 4321) only in OOM #2.'
        }

        It 'inside a memory cgroup' {
            $m | Should -BeKilledBefore job-helper -Name job -Cgroup /jobs
        }

        It 'fails clearly when the other is missing' {
            { $m | Should -BeKilledBefore nosuch -Name java } | Should -Throw -ExpectedMessage "Expected java to be killed before nosuch, but Machine 'db01' has no process named 'nosuch'."
        }
    }
}
