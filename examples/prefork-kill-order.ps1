#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Capacity runbook: how much memory does each OOM kill really give back on a prefork database host?
.DESCRIPTION
    A postmaster maps shared buffers (MAP_SHARED|MAP_ANONYMOUS) and forks backends that map them too and still
    share part of its heap copy-on-write. Every backend's rss counts the buffers, so the OOM killer scores each
    of them as if it held them; but killing a backend gives back only the pages no survivor maps. This runbook
    builds such a host, asks the simulated kernel for its kill order, and prints what each kill frees.
    It exits 1 if the kill order ever frees more than the machine has, or frees the shared buffers before the
    last process mapping them dies: the two mistakes a model that counts shared pages per process makes.
#>
param(
    [long] $Memory = 16GB,
    [long] $SharedBuffers = 8GB,
    [int]  $Backends = 6,
    [long] $CowShared = 32MB
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../out/OomTools/OomTools.psd1') -Force

$m = New-OomMachine -Name db-host -Memory $Memory
Add-OomTask -Machine $m -Pid 1 -Name systemd -Rss 12MB | Out-Null
# The postmaster: its own heap plus the shared buffers it created.
Add-OomTask -Machine $m -Pid 100 -Name postgres -AnonRss 64MB -SharedAnonRegion pg-buffers -SharedSize $SharedBuffers | Out-Null
# Backends forked from it: their own work memory, the heap they still share with it, and the buffers.
foreach ($i in 1..$Backends) {
    Add-OomTask -Machine $m -Pid (100 + $i) -Name postgres -AnonRss ($CowShared + $i * 96MB) `
        -CowSharedWith 100 -CowSharedSize $CowShared -SharedAnonRegion pg-buffers | Out-Null
}

$pageSize = $m.PageSize
$order = @(Get-OomKillOrder -Machine $m)
$ram = [long]$m.TotalRamPages.Value
Write-Host ("{0}: {1} GiB RAM, {2} GiB of shared buffers mapped by {3} processes" -f $m.Name,
    ($Memory / 1GB), ($SharedBuffers / 1GB), ($Backends + 1))
$order | Out-Host

$bufferPages = $SharedBuffers / $pageSize
$problems = @()
$total = [long]($order | ForEach-Object { $_.Freed.Value } | Measure-Object -Sum).Sum
if ($total -gt $ram) { $problems += "the kill order frees $total pages, more than the $ram pages of RAM" }
$last = $order[-1]
foreach ($step in $order | Select-Object -SkipLast 1) {
    if ($step.Freed.Value -ge $bufferPages) { $problems += "step $($step.Step) (pid $($step.Pid)) frees the shared buffers while others still map them" }
}
if ($last.Freed.Value -lt $bufferPages) { $problems += "the last mapper's kill (pid $($last.Pid)) does not free the shared buffers" }

if ($problems) {
    $problems | ForEach-Object { Write-Host "PROBLEM: $_" }
    exit 1
}
$perBackend = ($order | Select-Object -SkipLast 1 | ForEach-Object { '{0:N0} MiB' -f ($_.Freed.Value * $pageSize / 1MB) }) -join ', '
Write-Host "Each backend's kill frees only its own memory ($perBackend); the shared buffers ($($SharedBuffers / 1GB) GiB) go with the postmaster, last."
Write-Host 'prefork-kill-order: shared memory is freed once, with its last mapper.'
