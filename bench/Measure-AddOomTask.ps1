#Requires -Version 7.2
<#
.SYNOPSIS
    Measures Add-OomTask throughput: pre-built [pscustomobject]s piped into Add-OomTask -Machine $m, against an
    empty ForEach-Object over the same objects (issue 13: at most 2x its time).
.DESCRIPTION
    Run by Invoke-Bench.ps1 in a fresh `dotnet pwsh -NoProfile` (a binary module cannot be unloaded, and a
    fresh session keeps earlier work out of the figure). The objects are built before the clock starts; only
    `$objs | Add-OomTask -Machine $m` is timed, once per run on a fresh machine, after an untimed warm-up run;
    the figure is the median run. The baseline, alternating with it: `$objs | ForEach-Object { }`.
    Prints detail lines starting with '#' and, last, one line:
        addtask Add-OomTask 100,000 piped objects: figure ...; ratio R.Rx; goal <= 2x the time — ...
    A figure, never a pass/fail: the exit code is 0 unless the measurement itself could not be made.
#>
[CmdletBinding()]
param(
    [string]$ModulePath = (Join-Path $PSScriptRoot '../out/OomTools/OomTools.psd1'),
    [int]$Count = 100000,
    [int]$Runs = 5,
    [double]$GoalRatio = 2.0
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
. (Join-Path $PSScriptRoot 'Common.ps1')

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

$seconds = [System.Collections.Generic.List[double]]::new()
$empty = [System.Collections.Generic.List[double]]::new()
# The process's CPU time around each run too (all its threads: the pipeline's, the GC's, the JIT's): on a machine
# shared with other work it moves less than the wall clock, so a '#' line shows it beside the figure.
$process = [Diagnostics.Process]::GetCurrentProcess()
$cpu = [System.Collections.Generic.List[double]]::new()
$emptyCpu = [System.Collections.Generic.List[double]]::new()
function Measure-Run([scriptblock]$work, $wall, $cpuTime) {
    $process.Refresh()
    $before = $process.TotalProcessorTime
    $wall.Add((Measure-Seconds $work))
    $process.Refresh()
    $cpuTime.Add(($process.TotalProcessorTime - $before).TotalSeconds)
}
for ($r = 0; $r -lt $Runs; $r++) {
    $m = New-BenchMachine
    Invoke-Collect
    # Alternate which goes first.
    if ($r % 2) { Measure-Run { $objs | ForEach-Object { } } $empty $emptyCpu }
    Measure-Run { $objs | Add-OomTask -Machine $m } $seconds $cpu
    if ($m.Tasks.Count -ne $Count) { throw "Run $($r + 1) added $($m.Tasks.Count) tasks, not $Count." }
    if (-not ($r % 2)) { Measure-Run { $objs | ForEach-Object { } } $empty $emptyCpu }
}

$median = Get-Median $seconds
$baseline = Get-Median $empty
$rate = $Count / $median
$ratio = $median / $baseline
Write-Host ("# Add-OomTask: runs (s) {0}; {1:F2} us/task, {2:N0} tasks/s" -f (Format-Runs $seconds), ($median * 1e6 / $Count), $rate)
Write-Host ("# Add-OomTask: empty ForEach-Object runs (s) {0}; {1:F2} us/object" -f (Format-Runs $empty), ($baseline * 1e6 / $Count))
$load = if (Test-Path /proc/loadavg) { ' (load average ' + ((Get-Content /proc/loadavg -Raw).Split(' ')[0..2] -join ' ') + ')' } else { '' }
Write-Host ("# Add-OomTask: process CPU time, medians: Add-OomTask {0:F3} s, ForEach-Object {1:F3} s, ratio {2:F2}x{3}" -f `
    (Get-Median $cpu), (Get-Median $emptyCpu), ((Get-Median $cpu) / [Math]::Max((Get-Median $emptyCpu), 1e-9)), $load)
Format-Row ("addtask Add-OomTask {0:N0} piped objects" -f $Count) `
    ("{0:F2} s ({1:N0} tasks/s), against an empty ForEach-Object {2:F2} s (median of {3})" -f $median, $rate, $baseline, $Runs) `
    ("{0:F1}x" -f $ratio) ("<= {0:0}x the time" -f $GoalRatio) ($ratio -le $GoalRatio) $null
