# Issue 10, case 3: one machine shared by several runspaces. Every cmdlet takes the machine's lock (the kernel's
# oom_lock and tasklist_lock) around its engine work, so concurrent runspaces get consistent results: no
# "Collection was modified", one OOM deciding at a time, and the kernel's invariants (init and -1000 never
# killed, a victim killed once) hold.
BeforeAll {
    . $PSScriptRoot/common.ps1

    function Invoke-Concurrently {
        <# Runs each script block in its own runspace of one pool (the module imported in each), all on $Machine at once. #>
        param([Parameter(Mandatory)] $Machine, [Parameter(Mandatory)] [scriptblock[]] $Workers, [int] $Iterations = 60)
        $iss = [System.Management.Automation.Runspaces.InitialSessionState]::CreateDefault()
        $iss.ImportPSModule($script:ModuleManifestPath)
        $pool = [runspacefactory]::CreateRunspacePool(1, $Workers.Count, $iss, $Host)
        $pool.Open()
        try {
            $jobs = for ($i = 0; $i -lt $Workers.Count; $i++) {
                $ps = [powershell]::Create()
                $ps.RunspacePool = $pool
                $null = $ps.AddScript($Workers[$i].ToString()).AddArgument($Machine).AddArgument($i).AddArgument($Iterations)
                [pscustomobject]@{ PowerShell = $ps; Handle = $ps.BeginInvoke() }
            }
            foreach ($j in $jobs) {
                $output = $null; $thrown = $null
                try { $output = $j.PowerShell.EndInvoke($j.Handle) } catch { $thrown = $_.Exception }
                [pscustomobject]@{
                    Output = @($output)
                    Errors = @($j.PowerShell.Streams.Error)
                    Thrown = $thrown
                }
                $j.PowerShell.Dispose()
            }
        }
        finally { $pool.Close(); $pool.Dispose() }
    }
}

Describe 'One machine shared by several runspaces (issue 10, case 3)' {
    BeforeAll {
        $m = New-OomMachine -Name shared -Memory 8GB -Swap 1GB
        $null = New-OomCgroup -Machine $m -Path /app -MemoryMax 2GB
        Add-OomTask -Machine $m -Pid 1 -Name systemd -Rss 50MB
        # The biggest process of all, in the cgroup that runs out: -1000 keeps it alive.
        Add-OomTask -Machine $m -Pid 2 -Name db -Rss 1GB -Cgroup /app -OomScoreAdj -1000
        $workers = @(
            # Forks and exits processes in /app: pids of its own, never reused.
            {
                param($m, $id, $n)
                for ($i = 0; $i -lt $n; $i++) {
                    $pid0 = 1000 + $id * 100000 + $i * 10
                    Add-OomTask -Machine $m -Pid $pid0 -Name "w$id-$i" -Rss 200MB -Cgroup /app -Threads 2
                    Add-OomTask -Machine $m -Pid ($pid0 + 5) -Name "x$id-$i" -Rss 100MB -Cgroup /app
                    if ($i % 3 -eq 0) { Remove-OomTask -Machine $m -Pid ($pid0 + 5) -ErrorAction SilentlyContinue }
                }
            }
            # Runs memcg OOMs and lets the victims exit. After each OOM it looks at the domain under the machine's
            # lock: the victims in flight (marked, their mm not yet MMF_OOM_SKIP), the most it saw is its output.
            {
                param($m, $id, $n)
                $most = 0
                for ($i = 0; $i -lt $n; $i++) {
                    $null = Invoke-OutOfMemory -Machine $m -Cgroup /app
                    [System.Threading.Monitor]::Enter($m.SyncRoot)
                    try {
                        $inFlight = @($m.Tasks | Where-Object { $_.IsOomVictim -and $_.Memcg.Path -eq '/app' -and
                                -not $_.OomMm.Flags.HasFlag([OomTools.Engine.Model.MmFlags]::OomSkip) }).Count
                    }
                    finally { [System.Threading.Monitor]::Exit($m.SyncRoot) }
                    if ($inFlight -gt $most) { $most = $inFlight }
                    $null = Step-OomTime -Machine $m -Milliseconds 50
                }
                $most
            }
            # The -1000 process allocates in /app: the charge path runs into memcg OOMs of its own.
            {
                param($m, $id, $n)
                for ($i = 0; $i -lt $n; $i++) { $null = Invoke-OomAllocation -Machine $m -Pid 2 -Size 64MB }
            }
            # Readers: scores, task lists, the log, the whole machine as JSON, a kill order on a copy.
            {
                param($m, $id, $n)
                for ($i = 0; $i -lt $n; $i++) {
                    $null = Get-OomBadness -Machine $m
                    $null = Get-OomBadness -Machine $m -Cgroup /app
                    $null = Get-OomTask -Machine $m -Name 'w*'
                    $null = Get-OomLog -Machine $m -Tail 20
                    $json = Export-OomMachine -Machine $m
                    if ($i % 10 -eq 0) { $null = $json | Import-OomMachine; $null = Get-OomKillOrder -Machine $m -Cgroup /app -Count 3 }
                    $json
                }
            }
        )
        $script:results = @(Invoke-Concurrently -Machine $m -Workers $workers -Iterations 40)
        $script:m = $m
    }

    It 'throws nothing and writes no error out of any runspace' {
        foreach ($r in $results) {
            $r.Thrown | Should -BeNullOrEmpty
            # Removing a process the OOM killer killed (and the exit reaped) first is the one refusal expected.
            $unexpected = @($r.Errors | Where-Object { $_.FullyQualifiedErrorId -notlike 'TaskNotFound,*' })
            ($unexpected | ForEach-Object { "$($_.FullyQualifiedErrorId): $_" }) -join "`n" | Should -BeNullOrEmpty
        }
    }

    It 'killed someone, never init or the -1000 process, and each victim once' {
        $killed = @($m.Log.Entries | ForEach-Object Text | Where-Object { $_ -match 'Killed process (\d+)' } | ForEach-Object { [int]([regex]::Match($_, 'Killed process (\d+)').Groups[1].Value) })
        $killed.Count | Should -BeGreaterThan 0
        $killed | Should -Not -Contain 1
        $killed | Should -Not -Contain 2
        @($killed | Group-Object | Where-Object Count -gt 1 | ForEach-Object Name) | Should -BeNullOrEmpty
        $m.FindTask(1) | Should -Not -BeNullOrEmpty
        $m.FindTask(2) | Should -Not -BeNullOrEmpty
    }

    It 'never has two victims in flight in the OOM domain at once' {
        # Never two at once: a second OOM (this runner's or an allocation's) aborts for the first one's victim.
        $most = @($results[1].Output)[-1]
        $most | Should -BeLessOrEqual 1
    }

    It 'keeps the task list, the pid table and the cgroups consistent' {
        $tasks = @($m.Tasks)
        foreach ($t in $tasks) { $m.FindTask($t.Pid) | Should -Be $t }
        $inCgroups = 0
        foreach ($cg in $m.Cgroups) { $inCgroups += @($cg.Tasks).Count }
        $inCgroups | Should -Be $tasks.Count
        $m.OomVictims | Should -BeGreaterOrEqual 0
    }

    It 'exports, then and during the run, machines that import again' {
        $exports = @($results[3].Output)
        $exports.Count | Should -Be 40
        foreach ($json in $exports[0], $exports[-1]) { { $json | Import-OomMachine } | Should -Not -Throw }
        $copy = $m | Export-OomMachine | Import-OomMachine
        @($copy.Tasks | ForEach-Object Pid) | Should -Be @($m.Tasks | ForEach-Object Pid)
    }
}
