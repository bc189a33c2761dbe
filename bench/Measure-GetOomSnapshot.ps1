#Requires -Version 7.2
<#
.SYNOPSIS
    Measures Get-OomSnapshot on a saved /proc tree of 5,000 processes, against Get-Process on this host.
.DESCRIPTION
    Run by Invoke-Bench.ps1 in a fresh `dotnet pwsh -NoProfile` (a binary module cannot be unloaded).

    Not timed: a saved /proc tree of -Processes processes is written to a temp folder, cloned from the real host
    saved in tests/fixtures/host-proc: the fixture's processes with their own pids, and clones of them (each
    one's status, stat, oom_score_adj, cgroup and oom_score) under new pids above the fixture's highest, with the
    Pid:, Tgid:, NStgid: and NSpid: lines of status and the pid field of stat rewritten. The clones are
    four user-space processes to one kernel thread (the fixture, a small VM, is mostly kernel threads); init and
    kthreadd are not cloned. proc/meminfo, proc/zoneinfo and the fixture's memory cgroup tree are copied as
    they are, so the clones share its cgroups and limits.

    Timed, after one untimed warm-up, median of -Runs:
      - `Get-OomSnapshot -ProcRoot <tmp>/proc -CgroupRoot <tmp>/cgroup` (the figure, per process and in total);
      - `Get-Process` on this live host, per process: the yardstick of the ratio;
      - `Get-OomSnapshot` on this live host (/proc, /sys/fs/cgroup), for context.
    Prints detail lines starting with '#' and, last, two lines:
        snapshot 5,000 processes: T ms (U us/process); Get-Process on this host: V us/process (P processes); ratio per process R.RRx (goal: 5,000 processes well under 1 s)
        Get-OomSnapshot on this host (P processes): T ms (U us/process)
    A figure, never a pass/fail: the exit code is 0 unless the measurement itself could not be made.
#>
[CmdletBinding()]
param(
    [string]$ModulePath = (Join-Path $PSScriptRoot '../out/OomTools/OomTools.psd1'),
    [string]$FixturePath = (Join-Path $PSScriptRoot '../tests/fixtures/host-proc'),
    [int]$Processes = 5000,
    [int]$Runs = 5,
    # Keep the temp folder (its path is printed) instead of removing it.
    [switch]$Keep
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$inv = [Globalization.CultureInfo]::InvariantCulture

Import-Module $ModulePath -Force

function Get-Median([double[]]$xs) {
    $s = @($xs | Sort-Object)
    if ($s.Count % 2) { $s[[int][Math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}
function Format-Runs([double[]]$xs) { ($xs | ForEach-Object { $_.ToString('F1', $inv) }) -join ' ' }
function Measure-Runs([scriptblock]$work, [int]$n) {
    # One untimed warm-up, then n timed runs; the last run's result is kept.
    $null = & $work
    $ms = [Collections.Generic.List[double]]::new()
    $result = $null
    for ($i = 0; $i -lt $n; $i++) {
        [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $result = & $work
        $sw.Stop()
        $ms.Add($sw.Elapsed.TotalMilliseconds)
    }
    [pscustomobject]@{ Median = (Get-Median $ms); Runs = $ms; Result = $result }
}

$files = 'status', 'stat', 'oom_score_adj', 'cgroup', 'oom_score'
$work = Join-Path ([IO.Path]::GetTempPath()) ("oomtools-snapshotbench-" + [Guid]::NewGuid().ToString('N').Substring(0, 8))
$null = New-Item -ItemType Directory -Path $work
try {
    Write-Host "# snapshot: PowerShell $($PSVersionTable.PSVersion), .NET $([Environment]::Version), $([Environment]::ProcessorCount) cpus"

    # ---- the saved tree (not timed) ---------------------------------------------------------------------------
    $build = [Diagnostics.Stopwatch]::StartNew()
    $srcProc = Join-Path $FixturePath 'proc'
    $proc = Join-Path $work 'proc'
    $cgroup = Join-Path $work 'cgroup'
    Copy-Item -LiteralPath (Join-Path $FixturePath 'cgroup') -Destination $cgroup -Recurse
    $null = New-Item -ItemType Directory -Path $proc
    $templates = [Collections.Generic.List[object]]::new()
    foreach ($item in Get-ChildItem -LiteralPath $srcProc) {
        $pidValue = 0
        if (-not [int]::TryParse($item.Name, [Globalization.NumberStyles]::None, $inv, [ref]$pidValue)) {
            Copy-Item -LiteralPath $item.FullName -Destination $proc -Recurse      # meminfo, zoneinfo, ...
            continue
        }
        Copy-Item -LiteralPath $item.FullName -Destination $proc -Recurse          # the fixture's own process
        $t = @{ Pid = $pidValue }
        foreach ($f in $files) {
            $path = Join-Path $item.FullName $f
            $t[$f] = if (Test-Path -LiteralPath $path) { [IO.File]::ReadAllText($path) } else { $null }
        }
        $t.Kernel = $t.status -match '(?m)^Kthread:\s*1\s*$' -or $t.status -notmatch '(?m)^VmSize:'
        $templates.Add([pscustomobject]$t)
    }
    $own = $templates.Count
    $user = @($templates | Where-Object { -not $_.Kernel -and $_.Pid -ne 1 } | Sort-Object Pid)
    $kernel = @($templates | Where-Object { $_.Kernel -and $_.Pid -ne 2 } | Sort-Object Pid)
    if ($user.Count -eq 0 -or $kernel.Count -eq 0) { throw "The fixture under $srcProc has no user-space process or no kernel thread to clone." }
    $nextPid = ($templates | Measure-Object -Property Pid -Maximum).Maximum + 1
    $clonedUser = 0
    $enc = [Text.UTF8Encoding]::new($false)
    for ($k = 0; $k -lt $Processes - $own; $k++) {
        $t = if ($k % 5 -ne 4) { $user[$clonedUser++ % $user.Count] } else { $kernel[[int][Math]::Floor($k / 5) % $kernel.Count] }
        $newPid = $nextPid++
        $dir = Join-Path $proc $newPid
        $null = [IO.Directory]::CreateDirectory($dir)
        foreach ($f in $files) {
            $text = $t.$f
            if ($null -eq $text) { continue }
            if ($f -eq 'status') { $text = $text -replace '(?m)^(Pid|Tgid|NStgid|NSpid):(\s*)\d+', "`${1}:`${2}$newPid" }
            elseif ($f -eq 'stat') { $text = $text -replace '^\d+', "$newPid" }
            [IO.File]::WriteAllText((Join-Path $dir $f), $text, $enc)
        }
    }
    $build.Stop()
    $total = @(Get-ChildItem -LiteralPath $proc -Directory).Count
    Write-Host ("# snapshot: built {0} in {1:F1} s (not timed): {2:N0} processes, {3} of the fixture's own and {4:N0} clones ({5:N0} of {6} user-space processes, {7:N0} of {8} kernel threads), pids up to {9}" -f `
        $proc, $build.Elapsed.TotalSeconds, $total, $own, ($Processes - $own), $clonedUser, $user.Count, ($Processes - $own - $clonedUser), $kernel.Count, ($nextPid - 1))

    # ---- timed ------------------------------------------------------------------------------------------------
    $saved = Measure-Runs { Get-OomSnapshot -ProcRoot $proc -CgroupRoot $cgroup -Name bench5000 -WarningAction SilentlyContinue } $Runs
    $savedTasks = $saved.Result.Tasks.Count
    $savedCgroups = @($saved.Result.Tasks | ForEach-Object { $_.Cgroup } | Select-Object -Unique).Count
    $gp = Measure-Runs { Get-Process } $Runs
    $gpCount = @($gp.Result).Count
    $live = Measure-Runs { Get-OomSnapshot -WarningAction SilentlyContinue } $Runs
    $liveTasks = $live.Result.Tasks.Count

    Write-Host ("# snapshot: Get-OomSnapshot on the saved tree, runs (ms) {0}: {1:N0} tasks in {2} memory cgroups" -f (Format-Runs $saved.Runs), $savedTasks, $savedCgroups)
    Write-Host ("# snapshot: Get-Process on this host, runs (ms) {0}: {1:N0} processes" -f (Format-Runs $gp.Runs), $gpCount)
    Write-Host ("# snapshot: Get-OomSnapshot on this host, runs (ms) {0}: {1:N0} tasks" -f (Format-Runs $live.Runs), $liveTasks)
    if ($savedTasks -ne $Processes) {
        Write-Host '#'
        Write-Host '# !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!'
        Write-Host ("# !!! TASK COUNT MISMATCH: the saved tree holds {0:N0} processes, the snapshot has {1:N0} tasks !!!" -f $Processes, $savedTasks)
        Write-Host '# !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!'
    }

    $usSaved = $saved.Median * 1000 / $Processes
    $usGp = $gp.Median * 1000 / [Math]::Max(1, $gpCount)
    'snapshot {0:N0} processes: {1:F1} ms ({2:F1} us/process); Get-Process on this host: {3:F1} us/process ({4:N0} processes); ratio per process {5:F2}x (goal: {0:N0} processes well under 1 s)' -f `
        $Processes, $saved.Median, $usSaved, $usGp, $gpCount, ($usSaved / $usGp)
    'Get-OomSnapshot on this host ({0:N0} processes): {1:F1} ms ({2:F1} us/process)' -f $liveTasks, $live.Median, ($live.Median * 1000 / [Math]::Max(1, $liveTasks))
} finally {
    if ($Keep) { Write-Host "# snapshot: kept $work" } else { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
}
