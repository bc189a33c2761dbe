#Requires -Version 7.2
<#
.SYNOPSIS
    Measures a fleet audit: -Machines machines of -Processes processes each, audited with Test-OomProtection through
    `ForEach-Object -Parallel` against the same audits one after another (issue 13, row 9).
.DESCRIPTION
    Run by Invoke-Bench.ps1 in a fresh `dotnet pwsh -NoProfile`. Not timed: the machines, each the bench's seeded
    process mix (OomTools.Bench.dll, TaskMix, a seed per machine). Timed, after a warm-up of both on a few machines,
    alternating, median of -Runs (1 by default):
      sequential - $machines | ForEach-Object { Test-OomProtection -Machine $_.Machine -Pid $_.Pid } (one process a
                   machine: the second with an mm of its own)
      parallel   - $machines | ForEach-Object -Parallel { ... } -ThrottleLimit <core count> (the module imported
                   once per runspace; runspaces are reused)
    Both must give the same reports (count, and rank and points of each); a loud line says when not.
    Goal: parallel at least 1.6x faster on 2 cores. On a shared machine the other processes' load decides much of
    it: the core count and the load average are printed with the figure.
#>
[CmdletBinding()]
param(
    [string]$ModulePath = (Join-Path $PSScriptRoot '../out/OomTools/OomTools.psd1'),
    [string]$BenchDll = (Join-Path $PSScriptRoot 'OomTools.Bench/bin/Release/net10.0/OomTools.Bench.dll'),
    [int]$Machines = 1000,
    [int]$Processes = 1000,
    # One run of each by default: at full size each side is minutes long.
    [int]$Runs = 1,
    [int]$Seed = 20240611
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
. (Join-Path $PSScriptRoot 'Common.ps1')

Import-Module $ModulePath -Force
Add-Type -Path $BenchDll
$GoalSpeedup = 1.6
$cores = [Environment]::ProcessorCount
$modulePath = (Get-Module OomTools).Path

$build = [Diagnostics.Stopwatch]::StartNew()
# Each machine with the process audited on it: its second process with an mm of its own (the first is init).
$fleet = foreach ($i in 0..($Machines - 1)) {
    $m = [OomTools.Bench.TaskMix]::Generate($Processes, $Seed + 100 + $i, $true).BuildMachine()
    $audited = 0
    for ($t = 1; $t -lt $m.Tasks.Count; $t++) { if ($null -ne $m.Tasks[$t].Mm) { $audited = $m.Tasks[$t].Pid; break } }
    [pscustomobject]@{ Machine = $m; Pid = $audited }
}
Write-Host ("# fleet: {0:N0} machines of {1:N0} processes built in {2:F1} s (not timed); {3} cores, ThrottleLimit {3}" -f $Machines, $Processes, $build.Elapsed.TotalSeconds, $cores)

$sequential = {
    param($machines)
    $machines | ForEach-Object { Test-OomProtection -Machine $_.Machine -Pid $_.Pid }
}
$parallel = {
    param($machines)
    $machines | ForEach-Object -ThrottleLimit $cores -Parallel {
        if (-not (Get-Module OomTools)) { Import-Module $using:modulePath }
        Test-OomProtection -Machine $_.Machine -Pid $_.Pid
    }
}

# Warm-up on a few machines (JIT, the runspaces of the parallel pool, their module imports).
$few = @($fleet | Select-Object -First ([Math]::Min(20, $Machines)))
$null = & $sequential $few
$null = & $parallel $few

$seqRuns = [Collections.Generic.List[double]]::new()
$parRuns = [Collections.Generic.List[double]]::new()
$seqOut = $parOut = $null
for ($r = 0; $r -lt $Runs; $r++) {
    # Alternate which goes first.
    foreach ($kind in @(if ($r % 2) { 'parallel', 'sequential' } else { 'sequential', 'parallel' })) {
        Invoke-Collect
        $sw = [Diagnostics.Stopwatch]::StartNew()
        if ($kind -eq 'sequential') { $seqOut = @(& $sequential $fleet); $seqRuns.Add($sw.Elapsed.TotalSeconds) }
        else { $parOut = @(& $parallel $fleet); $parRuns.Add($sw.Elapsed.TotalSeconds) }
    }
}
$load = (Get-Content -LiteralPath /proc/loadavg -ErrorAction Ignore) -split ' ' | Select-Object -First 3

# Same audits: ForEach-Object -Parallel does not keep the order, so compare them sorted.
$key = { '{0}|{1}|{2}|{3}' -f $_.Service, $_.Pid, $_.Rank, $_.Points }
$a = @($seqOut | ForEach-Object $key | Sort-Object)
$b = @($parOut | ForEach-Object $key | Sort-Object)
$void = $null
if ($a.Count -ne $b.Count -or $a.Count -lt $Machines -or (Compare-Object $a $b -SyncWindow 0)) {
    $void = 'RESULT MISMATCH'
    Write-Shout "RESULT MISMATCH: the sequential audits gave $($a.Count) reports, the parallel ones $($b.Count), and they differ"
}
$seq = Get-Median $seqRuns
$par = Get-Median $parRuns
$speedup = $seq / $par
Write-Host ("# fleet: sequential runs (s) {0}; parallel runs (s) {1}; {2:N0} reports each; load average {3}" -f (Format-Runs $seqRuns), (Format-Runs $parRuns), $a.Count, ($load -join ' '))
Format-Row ("fleet {0:N0} machines of {1:N0} processes, Test-OomProtection -Pid" -f $Machines, $Processes) `
    ("ForEach-Object -Parallel {0:F2} s, one after another {1:F2} s ({2} cores, ThrottleLimit {2}, load average {3})" -f $par, $seq, $cores, ($load -join ' ')) `
    ("{0:F2}x faster" -f $speedup) (">= {0:0.0}x faster on 2 cores" -f $GoalSpeedup) ($speedup -ge $GoalSpeedup) $void
