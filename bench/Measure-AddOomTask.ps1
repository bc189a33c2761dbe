#Requires -Version 7.2
<#
.SYNOPSIS
    Measures Add-OomTask throughput: pre-built [pscustomobject]s piped into Add-OomTask -Machine $m, against an
    empty ForEach-Object over the same objects in the same run.
.DESCRIPTION
    Run by Invoke-Bench.ps1 in a fresh `dotnet pwsh -NoProfile` (a binary module cannot be unloaded, and a
    fresh session keeps earlier work out of the figure). The objects are built before the clock starts; timed are
    `$objs | Add-OomTask -Machine $m` (on a fresh machine each run) and the baseline `$objs | ForEach-Object { }`,
    alternating, after an untimed warm-up of each; the figures are the median runs, the ratio is theirs.
    Prints detail lines starting with '#' and, last, one line:
        Add-OomTask 100,000 piped objects: N tasks/s (...), ratio R.RRx of an empty ForEach-Object (goal <= 2x) - ...
    A figure, never a pass/fail: the exit code is 0 unless the measurement itself could not be made.
#>
[CmdletBinding()]
param(
    [string]$ModulePath = (Join-Path $PSScriptRoot '../out/OomTools/OomTools.psd1'),
    [int]$Count = 100000,
    [int]$Runs = 5,
    [double]$GoalRatio = 2
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$inv = [Globalization.CultureInfo]::InvariantCulture

Import-Module $ModulePath -Force

$names = 'bash', 'sshd', 'postgres', 'java', 'chrome', 'nginx', 'python3', 'node',
         'containerd-shim', 'dockerd', 'redis-server', 'php-fpm', 'rsyslogd', 'cron', 'Web Content', 'gunicorn'

function New-TaskObjects([int]$n) {
    # Pid = 1..n (pid 1 is init); rss spread over 1..~250k pages; one in ten with an oom_score_adj.
    1..$n | ForEach-Object {
        [pscustomobject]@{
            Pid         = $_
            Name        = $names[$_ % $names.Count]
            AnonPages   = ($_ * 7919) % 250000 + 1
            OomScoreAdj = if ($_ % 10 -eq 0) { 500 } elseif ($_ % 10 -eq 5) { -500 } else { 0 }
        }
    }
}

function New-BenchMachine { New-OomMachine -Name bench -Memory 64GB -Swap 8GB }

Write-Host "# Add-OomTask: PowerShell $($PSVersionTable.PSVersion), .NET $([Environment]::Version), $([Environment]::ProcessorCount) cpus"
$build = [Diagnostics.Stopwatch]::StartNew()
$objs = @(New-TaskObjects $Count)
$build.Stop()
Write-Host ("# Add-OomTask: built {0:N0} objects in {1:F1} s (not timed)" -f $objs.Count, $build.Elapsed.TotalSeconds)

# Warm-up, untimed and as long as a timed run: JIT and tiered compilation (which promotes hot methods only
# after a quiet spell), the parameter binder's caches, the type conversions to Pages? and int.
$objs | Add-OomTask -Machine (New-BenchMachine)
$objs | ForEach-Object { }

function Get-Median([double[]]$values) {
    $sorted = @($values | Sort-Object)
    if ($sorted.Count % 2) { $sorted[[int][Math]::Floor($sorted.Count / 2)] } else { ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2 }
}

# Alternating runs, so a busy spell on the shared machine slows both sides alike.
$seconds = [System.Collections.Generic.List[double]]::new()
$baseline = [System.Collections.Generic.List[double]]::new()
for ($r = 0; $r -lt $Runs; $r++) {
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $objs | ForEach-Object { }
    $sw.Stop()
    $baseline.Add($sw.Elapsed.TotalSeconds)

    $m = New-BenchMachine
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $objs | Add-OomTask -Machine $m
    $sw.Stop()
    if ($m.Tasks.Count -ne $Count) { throw "Run $($r + 1) added $($m.Tasks.Count) tasks, not $Count." }
    $seconds.Add($sw.Elapsed.TotalSeconds)
}

$median = Get-Median $seconds
$baseMedian = Get-Median $baseline
$rate = $Count / $median
$ratio = $median / $baseMedian
Write-Host ("# Add-OomTask: runs (s) {0}; {1:F2} us/task" -f (($seconds | ForEach-Object { $_.ToString('F3', $inv) }) -join ' '), ($median * 1e6 / $Count))
Write-Host ("# ForEach-Object {{ }}: runs (s) {0}; {1:F2} us/object" -f (($baseline | ForEach-Object { $_.ToString('F3', $inv) }) -join ' '), ($baseMedian * 1e6 / $Count))
$verdict = if ($ratio -le $GoalRatio) { 'meets goal' } else { 'MISSES goal' }
'Add-OomTask {0:N0} piped objects: {1:N0} tasks/s (median {2:F2} s of {3}; empty ForEach-Object {4:F2} s), ratio {5:F2}x of ForEach-Object (goal <= {6}x) — {7}' -f `
    $Count, $rate, $median, $Runs, $baseMedian, $ratio, $GoalRatio, $verdict
