#!/usr/bin/env pwsh
<#
.SYNOPSIS
    OomTools in five minutes: build a machine, add processes, ask whom the kernel would kill and why.
.DESCRIPTION
    Run from the repository root after `dotnet pwsh ./build.ps1 Build` (the Demo task does both).
    Exits non-zero if the simulated kernel does not make the decision worked out by hand below.
#>
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../out/OomTools/OomTools.psd1') -Force

# A 16 GiB host with 2 GiB of swap: totalpages = 4194304 + 524288 = 4718592 pages of 4 KiB.
$m = New-OomMachine -Name web01 -Memory 16GB -Swap 2GB

# Processes in fork order. Sizes are bytes (or pages with -AnonPages etc.).
Add-OomTask -Machine $m -Pid 1    -Name systemd  -Rss 12MB                      # global init: never chosen
Add-OomTask -Machine $m -Pid 612  -Name sshd     -Rss 8MB   -OomScoreAdj -1000  # OOM_SCORE_ADJ_MIN: never chosen
Add-OomTask -Machine $m -Pid 900  -Name postgres -Rss 6GB   -FileRss 1GB -OomScoreAdj -900 -PageTableBytes 24MB
Add-OomTask -Machine $m -Pid 1400 -Name java     -Rss 3GB   -Swap 1GB    -PageTableBytes 8MB
Add-OomTask -Machine $m -Pid 1500 -Name worker   -Rss 3GB   -Swap 1GB    -PageTableBytes 8MB

Write-Host "`n== The machine's processes (sizes in MiB/GiB; -View Wide shows the kernel's task table in pages)"
Get-OomTask -Machine $m | Format-Table | Out-String | Write-Host
Get-OomTask -Machine $m | Format-Table -View Wide | Out-String -Width 120 | Write-Host

Write-Host "== oom_badness for each process, ranked (1 = the kernel's choice); -View Wide adds its parts in pages"
Get-OomBadness -Machine $m | Format-Table | Out-String | Write-Host
Get-OomBadness -Machine $m | Format-Table -View Wide | Out-String -Width 120 | Write-Host

# By hand: java and worker both score 786432 rss + 262144 swap + 2048 page-table pages = 1050624.
# postgres: 1835008 + 6144 - 900 * (4718592 / 1000) = 1841152 - 4246200 = -2405048.
# The tie goes to the later task in the task list: worker (pid 1500).
Write-Host "== What would happen (-WhatIf decides on a copy; the machine is not changed)"
$preview = Invoke-OutOfMemory -Machine $m -WhatIf
$preview | Format-List Reason, Constraint, TotalPages, Victim, VictimPoints | Out-String | Write-Host
if ($preview.Victim.Pid -ne 1500 -or $preview.VictimPoints -ne 1050624) { throw "unexpected choice: $($preview.Reason)" }

Write-Host "== Now for real: the kernel's own lines"
$outcome = Invoke-OutOfMemory -Machine $m
Get-OomLog -Machine $m | Out-String | Write-Host

# The victim is dying but still holds its memory: a second OOM waits for it (the scan aborts).
$again = Invoke-OutOfMemory -Machine $m -WhatIf
Write-Host "== A second OOM right away: $($again.Reason)"
if (-not $again.Aborted) { throw 'expected the second OOM to wait for the first victim' }

# Once the victim has exited, the next OOM picks the next process.
Remove-OomTask -Machine $m -Pid 1500
$next = Invoke-OutOfMemory -Machine $m -WhatIf
Write-Host "== After pid 1500 exited: $($next.Reason)"
if ($next.Victim.Pid -ne 1400) { throw "expected java (1400) next, got $($next.Victim)" }

# Memory cgroups: an OOM inside a limited cgroup only looks at its members, scaled to the limit.
New-OomCgroup -Machine $m -Path /batch -MemoryMax 2GB | Out-Null
Add-OomTask -Machine $m -Pid 2000 -Name etl    -Rss 1200MB -Cgroup /batch
Add-OomTask -Machine $m -Pid 2001 -Name loader -Rss 700MB  -Cgroup /batch -OomScoreAdj 300
$memcg = Invoke-OutOfMemory -Machine $m -Cgroup /batch -WhatIf
Write-Host "== Memory cgroup /batch hits its 2 GiB limit: $($memcg.Reason)"
# totalpages = memory.max 524288 + min(swap.max unlimited, total swap 524288) = 1048576 (cgroup v2, swappiness 60).
# etl: 307200 pages; loader: 179200 + 300 * (1048576 / 1000) = 179200 + 314400 = 493600 -> loader.
if ($memcg.Victim.Pid -ne 2001 -or $memcg.TotalPages.Value -ne 1048576) { throw "expected loader (2001) in /batch, got $($memcg.Victim)" }
Write-Host "`nquickstart: every decision matched the hand calculation."
