#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Tuning audit: how low must the database's oom_score_adj be so that a leaking worker dies first?
.DESCRIPTION
    The database is big and legitimate; the worker leaks. For each size the leak may reach, find the
    highest oom_score_adj for postgres at which the kernel still picks the worker, by asking the simulated
    kernel (Invoke-OutOfMemory -WhatIf), and check it against the closed form of oom_badness:
        points = rss + swap + pgtables/PAGE_SIZE + adj * (totalpages / 1000)
    Exits non-zero if the search and the formula disagree, so the runbook can gate a rollout.
#>
param(
    [long]   $Memory = 32GB,
    [long]   $Swap = 4GB,
    [long]   $DatabaseRss = 12GB,
    [long[]] $WorkerLeakSizes = @(2GB, 4GB, 8GB)
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../out/OomTools/OomTools.psd1') -Force

function New-Fleet([long] $workerRss) {
    $m = New-OomMachine -Name db01 -Memory $Memory -Swap $Swap
    Add-OomTask -Machine $m -Pid 1    -Name systemd  -Rss 16MB
    Add-OomTask -Machine $m -Pid 700  -Name postgres -Rss $DatabaseRss -PageTableBytes 64MB
    Add-OomTask -Machine $m -Pid 1200 -Name nginx    -Rss 256MB
    Add-OomTask -Machine $m -Pid 3000 -Name worker   -Rss $workerRss -PageTableBytes 4MB
    $m
}

# The kernel picks the worker if postgres scores below it; a tie goes to the later task (the worker).
function Test-WorkerDiesFirst($m, [int] $adj) {
    Set-OomTask -Machine $m -Pid 700 -OomScoreAdj $adj
    # Decide on a copy (as -WhatIf does, without its per-call "What if:" line): $m stays as built.
    (Invoke-OutOfMemory -Machine $m.Clone()).Victim.Pid -eq 3000
}

$rows = foreach ($leak in $WorkerLeakSizes) {
    $m = New-Fleet $leak
    # Binary search for the highest adj in -999..1000 that still sacrifices the worker.
    $lo = -999; $hi = 1000
    if (-not (Test-WorkerDiesFirst $m $lo)) { $best = $null }
    else {
        while ($lo -lt $hi) {
            $mid = [int][math]::Floor(($lo + $hi + 1) / 2)
            if (Test-WorkerDiesFirst $m $mid) { $lo = $mid } else { $hi = $mid - 1 }
        }
        $best = $lo
    }

    # The same answer from the formula, in integer pages as the kernel computes it.
    $total = [long]($Memory / 4096 + $Swap / 4096)
    $unit = [long][math]::Truncate($total / 1000)
    $db = [long]($DatabaseRss / 4096) + [long](64MB / 4096)
    $worker = [long]($leak / 4096) + [long](4MB / 4096)
    # Highest adj with db + adj*unit <= worker (ties go to the later task, the worker).
    $formula = [long][math]::Floor(($worker - $db) / $unit)
    $formula = [math]::Min(1000, [math]::Max(-999, $formula))

    [pscustomobject]@{
        WorkerLeak       = '{0:N0} MiB' -f ($leak / 1MB)
        WorkerPoints     = $worker
        DatabasePoints   = $db
        AdjUnitPages     = $unit
        MaxPostgresAdj   = $best
        FormulaSays      = $formula
        Agrees           = $best -eq $formula
    }
}

Write-Host "oom_score_adj audit for postgres on a $($Memory / 1GB) GiB + $($Swap / 1GB) GiB swap host:"
$rows | Format-Table -AutoSize | Out-String -Width 160 | Write-Host
$needed = ($rows | Measure-Object MaxPostgresAdj -Minimum).Minimum
$smallest = '{0:N0}' -f (($WorkerLeakSizes | Measure-Object -Minimum).Minimum / 1MB)
Write-Host "Set postgres's oom_score_adj to $needed or lower, and a worker that has leaked $smallest MiB or more dies before it."
if ($rows.Agrees -contains $false) { Write-Error 'the simulated kernel and the formula disagree'; exit 1 }
