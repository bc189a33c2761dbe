#Requires -Version 7.2
<#
.SYNOPSIS
    Measures Add-OomTask throughput: pre-built [pscustomobject]s piped into Add-OomTask -Machine $m.
.DESCRIPTION
    Run by Invoke-Bench.ps1 in a fresh `dotnet pwsh -NoProfile` (a binary module cannot be unloaded, and a
    fresh session keeps earlier work out of the figure). The objects are built before the clock starts; only
    `$objs | Add-OomTask -Machine $m` is timed, once per run on a fresh machine, after an untimed warm-up run;
    the figure is the median run.
    Prints detail lines starting with '#' and, last, one line:
        Add-OomTask 100,000 piped objects: N tasks/s (...), ratio R.RRx of goal (goal >= 50,000 tasks/s) - ...
    A figure, never a pass/fail: the exit code is 0 unless the measurement itself could not be made.
#>
[CmdletBinding()]
param(
    [string]$ModulePath = (Join-Path $PSScriptRoot '../out/OomTools/OomTools.psd1'),
    [int]$Count = 100000,
    [int]$Runs = 5,
    [double]$GoalPerSecond = 50000
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

$seconds = [System.Collections.Generic.List[double]]::new()
for ($r = 0; $r -lt $Runs; $r++) {
    $m = New-BenchMachine
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $objs | Add-OomTask -Machine $m
    $sw.Stop()
    if ($m.Tasks.Count -ne $Count) { throw "Run $($r + 1) added $($m.Tasks.Count) tasks, not $Count." }
    $seconds.Add($sw.Elapsed.TotalSeconds)
}

$sorted = @($seconds | Sort-Object)
$median = if ($sorted.Count % 2) { $sorted[[int][Math]::Floor($sorted.Count / 2)] } else { ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2 }
$rate = $Count / $median
$ratio = $rate / $GoalPerSecond
Write-Host ("# Add-OomTask: runs (s) {0}; {1:F2} us/task" -f (($seconds | ForEach-Object { $_.ToString('F3', $inv) }) -join ' '), ($median * 1e6 / $Count))
$verdict = if ($rate -ge $GoalPerSecond) { 'meets goal' } else { 'MISSES goal' }
'Add-OomTask {0:N0} piped objects: {1:N0} tasks/s (median {2:F2} s of {3}), ratio {4:F2}x of goal (goal >= {5:N0} tasks/s) — {6}' -f `
    $Count, $rate, $median, $Runs, $ratio, $GoalPerSecond, $verdict
