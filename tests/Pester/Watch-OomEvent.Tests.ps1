# Watch-OomEvent follows a live log: a file written while it runs, and /dev/kmsg during a real memcg OOM of our own.
BeforeAll {
    . $PSScriptRoot/common.ps1
    $script:Fixture = Join-Path $RepoRoot 'tests/fixtures/kernel-logs/memcg/memcg-1000.log'
    $script:FixtureVictim = (Import-OomReport -LiteralPath $script:Fixture | Select-Object -First 1).SelectedPid

    # Appends $Lines to $Path in chunks from another runspace while the test's own thread runs the watcher.
    function Start-Appender([string]$Path, [string[]]$Lines, [int]$Chunks = 4) {
        $ps = [powershell]::Create()
        $null = $ps.AddScript({
                param($Path, $Lines, $Chunks)
                Start-Sleep -Milliseconds 700
                $size = [math]::Ceiling($Lines.Count / $Chunks)
                for ($i = 0; $i -lt $Lines.Count; $i += $size) {
                    [IO.File]::AppendAllText($Path, (($Lines[$i..([math]::Min($i + $size, $Lines.Count) - 1)]) -join "`n") + "`n")
                    Start-Sleep -Milliseconds 200
                }
            }).AddArgument($Path).AddArgument($Lines).AddArgument($Chunks)
        [pscustomobject]@{ PowerShell = $ps; Handle = $ps.BeginInvoke() }
    }
}

Describe 'Watch-OomEvent -Path' {
    BeforeEach {
        $script:Log = Join-Path ([IO.Path]::GetTempPath()) "watch-oom-$PID-$([guid]::NewGuid().ToString('n')).log"
        Set-Content -LiteralPath $script:Log -Value 'Dec  5 01:00:00 host kernel: [    1.000000] unrelated line written before the watch'
    }
    AfterEach { Remove-Item -LiteralPath $script:Log -ErrorAction SilentlyContinue }

    It 'writes the report appended in chunks while it runs, with the kernel victim, and the model agrees' {
        # The fixture's first event only: the watcher must emit it at its Killed process line, not at the next event.
        $lines = Get-Content -LiteralPath $Fixture
        $killed = [array]::FindIndex([string[]]$lines, [Predicate[string]] { param($l) $l -match 'Killed process' })
        $job = Start-Appender $script:Log $lines[0..$killed]
        try {
            $clock = [Diagnostics.Stopwatch]::StartNew()
            $events = @(Watch-OomEvent -Path $script:Log -Count 1 -Timeout 30)
            $clock.Stop()
        }
        finally { $job.PowerShell.EndInvoke($job.Handle); $job.PowerShell.Dispose() }
        $events.Count | Should -Be 1
        $events[0] | Should -BeOfType ([OomTools.Engine.Reports.OomWatchEvent])
        $events[0].KernelVictim | Should -Be $FixtureVictim
        $events[0].Agrees | Should -BeTrue
        $events[0].ModelVictim | Should -Be $FixtureVictim
        $events[0].Ranking.Count | Should -BeGreaterThan 1
        $events[0].NextVictim | Should -Not -BeNullOrEmpty
        $events[0].NextVictim | Should -Not -Be $FixtureVictim
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 10 -Because 'the event ends at its Killed process line, not at the timeout'
    }

    It 'skips what the file held before it started, unless -FromStart' {
        Get-Content -LiteralPath $Fixture | Add-Content -LiteralPath $script:Log
        @(Watch-OomEvent -Path $script:Log -Timeout 1).Count | Should -Be 0
        $all = @(Watch-OomEvent -Path $script:Log -FromStart -Timeout 2)
        $all.Count | Should -Be @(Import-OomReport -LiteralPath $Fixture | Where-Object { $_.KilledPids.Count -gt 0 }).Count
        $all[0].KernelVictim | Should -Be $FixtureVictim
    }

    It '-Timeout takes seconds and ends an idle watch' {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        @(Watch-OomEvent -Path $script:Log -Timeout 1).Count | Should -Be 0
        $clock.Elapsed.TotalSeconds | Should -BeGreaterOrEqual 0.9
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 10
    }

    It '-Action runs per event with $_ and $args[0]; its errors are WatchActionFailed and the watch goes on' {
        Get-Content -LiteralPath $Fixture | Add-Content -LiteralPath $script:Log
        $seen = [System.Collections.Generic.List[object]]::new()
        $events = @(Watch-OomEvent -Path $script:Log -FromStart -Count 2 -Timeout 10 -ErrorVariable errs -ErrorAction SilentlyContinue -Action {
                $seen.Add(@($_.KernelVictim, $args[0].KernelVictim))
                throw 'pager down'
            })
        $events.Count | Should -Be 2
        $seen.Count | Should -Be 2
        $seen[0][0] | Should -Be $FixtureVictim
        $seen[0][1] | Should -Be $FixtureVictim
        $errs.Count | Should -Be 2
        $errs[0].FullyQualifiedErrorId | Should -BeLike 'WatchActionFailed,*'
    }

    It '-LiteralPath and a -Path pattern matching one file follow that file' {
        Get-Content -LiteralPath $Fixture | Add-Content -LiteralPath $script:Log
        (Watch-OomEvent -LiteralPath $script:Log -FromStart -Count 1 -Timeout 10).KernelVictim | Should -Be $FixtureVictim
        (Watch-OomEvent -Path ($script:Log -replace '\.log$', '.l?g') -FromStart -Count 1 -Timeout 10).KernelVictim | Should -Be $FixtureVictim
    }

    It 'a missing file is a WatchSourceUnavailable error naming it' {
        $missing = Join-Path ([IO.Path]::GetTempPath()) "no-such-$PID.log"
        { Watch-OomEvent -Path $missing -Timeout 1 } | Should -Throw -ErrorId 'WatchSourceUnavailable,OomTools.Commands.WatchOomEventCommand' -ExpectedMessage "*no-such-$PID.log*"
    }

    It 'is stopped cleanly by Stop() (Ctrl+C)' {
        $ps = [powershell]::Create()
        $null = $ps.AddCommand('Import-Module').AddArgument((Join-Path $RepoRoot 'out/OomTools/OomTools.psd1')).AddStatement().AddCommand('Watch-OomEvent').AddParameter('Path', $script:Log)
        $handle = $ps.BeginInvoke()
        Start-Sleep -Seconds 2
        $clock = [Diagnostics.Stopwatch]::StartNew()
        $ps.Stop()
        $handle.AsyncWaitHandle.WaitOne(5000) | Should -BeTrue
        $clock.Elapsed.TotalSeconds | Should -BeLessThan 5
        $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        $ps.Dispose()
    }
}

Describe 'Watch-OomEvent on /dev/kmsg during a real memcg OOM' {
    It 'sees the kill of a process in a cgroup of our own, replayed, and the model agrees' {
        $own = Get-Content /proc/self/cgroup -ErrorAction SilentlyContinue | Where-Object { $_ -match '^\d+:memory:(.*)$' } | ForEach-Object { $Matches[1] } | Select-Object -First 1
        $root = if ($own) { "/sys/fs/cgroup/memory$own" }
        $reason = if (-not $root -or -not (Test-Path -LiteralPath "$root/cgroup.procs")) { 'no cgroup v1 memory controller for this process' }
        elseif (-not (Get-Command python3 -ErrorAction SilentlyContinue)) { 'python3 is not installed' }
        else {
            try { [IO.File]::OpenRead('/dev/kmsg').Dispose(); $null } catch { "/dev/kmsg is not readable: $($_.Exception.Message)" }
        }
        $cg = if (-not $reason) { Join-Path $root "watch-oom-$PID" }
        if (-not $reason) {
            try { $null = New-Item -ItemType Directory -Path $cg -ErrorAction Stop; Set-Content -LiteralPath "$cg/memory.limit_in_bytes" -Value (48MB) -ErrorAction Stop }
            catch { $reason = "the memory controller is not writable: $($_.Exception.Message)" }
        }
        if ($reason) { if ($cg -and (Test-Path $cg)) { [IO.Directory]::Delete($cg) }; Set-ItResult -Skipped -Because $reason; return }
        try {
            if (Test-Path "$cg/memory.memsw.limit_in_bytes") { Set-Content -LiteralPath "$cg/memory.memsw.limit_in_bytes" -Value (48MB) -ErrorAction SilentlyContinue }
            # The allocator waits for the watcher, moves itself into the cgroup and grows past its limit.
            $script = "import os,time; time.sleep(1.5); open('$cg/cgroup.procs','w').write(str(os.getpid())); b=[]`nwhile True: b.append(bytearray(4<<20))"
            $victim = Start-Process python3 -ArgumentList '-c', "`"$script`"" -PassThru
            $events = @(Watch-OomEvent -Count 1 -Timeout 60)
            $victim.WaitForExit(10000) | Out-Null
            $events.Count | Should -Be 1
            $events[0].KernelVictim | Should -Be $victim.Id
            $events[0].Report.Constraint | Should -Be 'Memcg'
            $events[0].Agrees | Should -BeTrue
            # The kernel's stamp is seconds since boot: the event must have been written within a second of it.
            $bootAt = (Get-Date) - [TimeSpan]::FromSeconds([double]((Get-Content /proc/uptime) -split ' ')[0])
            $kernelAt = $bootAt.AddSeconds([double]::Parse($events[0].Report.Time, [cultureinfo]::InvariantCulture))
            ($events[0].ReceivedAt - $kernelAt).TotalSeconds | Should -BeLessThan 1
        }
        finally {
            if ($victim -and -not $victim.HasExited) { $victim.Kill() }
            Start-Sleep -Milliseconds 200
            # A cgroup is removed with rmdir: its control files go with it.
            try { [IO.Directory]::Delete($cg) } catch { Write-Warning "could not remove ${cg}: $_" }
        }
    }
}
