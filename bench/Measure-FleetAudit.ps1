#Requires -Version 7.2
<#
.SYNOPSIS
    Measures a fleet audit: Test-OomProtection on many machines through ForEach-Object -Parallel, against the same
    audits one after another.
.DESCRIPTION
    Run by Invoke-Bench.ps1 (or alone) in a fresh `dotnet pwsh -NoProfile`. Not timed, it builds the fleet:
    -Machines machines of -Processes processes each (init, one `postgres` with a large rss, the rest spread over
    five orders of magnitude with about one in seven at a non-zero oom_score_adj). Eight seeded templates are built
    with Add-OomTask; every machine of the fleet is a copy of one of them under its own name (building a million
    processes through the cmdlet would take longer than the audits).
    Timed, alternating, -Runs times each (after an untimed warm-up of both on 50 machines):
        sequential:  $fleet | ForEach-Object { Test-OomProtection -Machine $_ -Name postgres }
        parallel:    $fleet | ForEach-Object -Parallel { Test-OomProtection -Machine $_ -Name postgres } -ThrottleLimit <cores>
    The figure is the ratio of the medians (sequential / parallel). Both must give the same rows (compared sorted);
    a loud ROW MISMATCH line says when they do not. The goal (>= 1.6x) is for 2 cores: a busy machine shares its
    cores with others, so the load average (before and after) is printed with the figure.
    Prints detail lines starting with '#' and, last, one line:
        fleet N machines x P processes, Test-OomProtection: sequential S s, parallel (ThrottleLimit T) S s, ratio R.RRx faster (goal >= 1.6x on 2 cores) - ...
    A figure, never a pass/fail: the exit code is 0 unless the measurement itself could not be made.
#>
[CmdletBinding()]
param(
    [string]$ModulePath = (Join-Path $PSScriptRoot '../out/OomTools/OomTools.psd1'),
    [int]$Machines = 1000,
    [int]$Processes = 1000,
    [int]$Runs = 3,
    [int]$ThrottleLimit = [Environment]::ProcessorCount,
    [double]$GoalRatio = 1.6
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$inv = [Globalization.CultureInfo]::InvariantCulture

$ModulePath = (Resolve-Path $ModulePath).Path
# The parallel runspaces load the module by name, as a fleet runbook's would from its module path.
$env:PSModulePath = (Split-Path (Split-Path $ModulePath)) + [IO.Path]::PathSeparator + $env:PSModulePath
Import-Module $ModulePath -Force

function Get-Load { ((Get-Content /proc/loadavg -ErrorAction SilentlyContinue) -split ' ')[0] }

$names = 'bash', 'sshd', 'java', 'chrome', 'nginx', 'python3', 'node', 'containerd-shim', 'dockerd', 'redis-server',
         'php-fpm', 'rsyslogd', 'cron', 'Web Content', 'gunicorn'

function New-Template([int]$seed) {
    $rng = [Random]::new($seed)
    $critical = 2 + $rng.Next($Processes - 2)
    $objs = foreach ($p in 1..$Processes) {
        $name = if ($p -eq 1) { 'systemd' } elseif ($p -eq $critical) { 'postgres' } else { $names[$rng.Next($names.Count)] }
        $pages = if ($p -eq $critical) { 400000 + $rng.Next(400000) } else { [long][Math]::Pow(10, 1 + 4 * $rng.NextDouble()) }
        $adj = switch ($rng.Next(14)) { 0 { 500 } 1 { -500 } default { 0 } }
        [pscustomobject]@{ Pid = $p; Name = $name; AnonPages = $pages; OomScoreAdj = $adj }
    }
    $m = New-OomMachine -Name "template$seed" -Memory 64GB -Swap 8GB
    $objs | Add-OomTask -Machine $m
    $m
}

$cores = [Environment]::ProcessorCount
$gc = if ([Runtime.GCSettings]::IsServerGC) { 'server' } else { 'workstation' }
Write-Host "# fleet: PowerShell $($PSVersionTable.PSVersion), .NET $([Environment]::Version), $cores cpus, $gc GC, load $(Get-Load)"
$build = [Diagnostics.Stopwatch]::StartNew()
$templates = foreach ($s in 1..8) { New-Template $s }
$fleet = foreach ($i in 1..$Machines) {
    $copy = $templates[$i % $templates.Count].Clone()
    $copy.Name = "host$i"
    $copy
}
$build.Stop()
Write-Host ("# fleet: built {0:N0} machines of {1:N0} processes in {2:F1} s (not timed)" -f $Machines, $Processes, $build.Elapsed.TotalSeconds)

function Invoke-Sequential($machines) { $machines | ForEach-Object { Test-OomProtection -Machine $_ -Name postgres } }
function Invoke-Parallel($machines) { $machines | ForEach-Object -Parallel { Test-OomProtection -Machine $_ -Name postgres } -ThrottleLimit $ThrottleLimit }
function Get-RowKeys($rows) { @($rows | ForEach-Object { "$($_.Name) $($_.Rank) $($_.KillPosition) $($_.Protected) $($_.MaxSafeOomScoreAdj)" } | Sort-Object) -join ';' }

# Warm-up, untimed: JIT and tiered compilation (a few audits leave the first run a third slower), the runspaces'
# module load.
$warm = @($fleet | Select-Object -First ([Math]::Min(50, $Machines)))
$null = Invoke-Sequential $warm
$null = Invoke-Parallel $warm

$seq = [System.Collections.Generic.List[double]]::new()
$par = [System.Collections.Generic.List[double]]::new()
# Processor time too: on a machine other work keeps busy, wall time says little, but a parallel run that costs no more
# processor time than the sequential one would be up to <cores> times faster on idle cores.
$seqCpu = [System.Collections.Generic.List[double]]::new()
$parCpu = [System.Collections.Generic.List[double]]::new()
$self = [Diagnostics.Process]::GetCurrentProcess()
function Get-Cpu { $self.Refresh(); $self.TotalProcessorTime.TotalSeconds }
$loadBefore = Get-Load
$mismatch = $false
for ($r = 0; $r -lt $Runs; $r++) {
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    $c0 = Get-Cpu
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $a = @(Invoke-Sequential $fleet)
    $seq.Add($sw.Elapsed.TotalSeconds)
    $seqCpu.Add((Get-Cpu) - $c0)
    [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
    $c0 = Get-Cpu
    $sw.Restart()
    $b = @(Invoke-Parallel $fleet)
    $par.Add($sw.Elapsed.TotalSeconds)
    $parCpu.Add((Get-Cpu) - $c0)
    if ($a.Count -ne $Machines -or (Get-RowKeys $a) -ne (Get-RowKeys $b)) {
        $mismatch = $true
        Write-Host "# fleet: ROW MISMATCH in run $($r + 1): sequential $($a.Count) rows, parallel $($b.Count) rows, or different rows"
    }
    Write-Host ("# fleet: run {0}: sequential {1:F2} s ({2:F2} s of processor time), parallel {3:F2} s ({4:F2} s of processor time) (load {5})" -f `
        ($r + 1), $seq[$r], $seqCpu[$r], $par[$r], $parCpu[$r], (Get-Load))
}
$loadAfter = Get-Load

function Get-Median($values) {
    $sorted = @($values | Sort-Object)
    if ($sorted.Count % 2) { $sorted[[int][Math]::Floor($sorted.Count / 2)] } else { ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2 }
}
$s = Get-Median $seq
$p = Get-Median $par
$ratio = $s / $p
$cpuRatio = (Get-Median $seqCpu) / (Get-Median $parCpu)
Write-Host ("# fleet: {0:F1} ms an audit one after another, {1:F1} ms an audit in parallel; load average {2} before, {3} after, on {4} cores" -f `
    ($s * 1000 / $Machines), ($p * 1000 / $Machines), $loadBefore, $loadAfter, $cores)
Write-Host ("# fleet: processor time sequential / parallel {0:F2} (1.00: the parallel run does no extra work; on {1} idle cores it could be up to {2:F2}x faster)" -f `
    $cpuRatio, [Math]::Min($cores, $ThrottleLimit), ($cpuRatio * [Math]::Min($cores, $ThrottleLimit)))
$verdict = if ($mismatch) { 'ROW MISMATCH' } elseif ($ratio -ge $GoalRatio) { 'meets goal' } else { 'MISSES goal' }
# A busy machine hands out its cores by runnable thread: two threads of this process get more of them than one, so the
# wall-time ratio can pass the core count. Said with the figure, with what processor time says instead.
$note = if ([double]::Parse($loadAfter, $inv) -gt $cores) {
    " (the machine was busy, load $loadAfter on $cores cores: the wall-time ratio is not this machine's; by processor time, up to {0:F2}x)" -f ($cpuRatio * [Math]::Min($cores, $ThrottleLimit))
} else { '' }
'fleet {0:N0} machines x {1:N0} processes, Test-OomProtection: sequential {2:F1} s, parallel (ThrottleLimit {3}) {4:F1} s (medians of {5}), ratio {6:F2}x faster (goal >= {7}x on 2 cores) — {8}{9}' -f `
    $Machines, $Processes, $s, $ThrottleLimit, $p, $Runs, $ratio, $GoalRatio.ToString($inv), $verdict, $note
