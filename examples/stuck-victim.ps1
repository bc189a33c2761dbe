#!/usr/bin/env pwsh
<#
.SYNOPSIS
    A runbook: an OOM victim stuck in uninterruptible sleep, and what the oom_reaper does about it.
.DESCRIPTION
    Act 1. A backup process is OOM-killed while stuck in D state on a dead NFS mount (it will not exit for 10 s);
    for its first 1.5 s it also holds its mmap_lock for write. The next OOM aborts: the victim still holds the
    memory reserves. 2 s after the kill (OOM_REAPER_DELAY) the oom_reaper takes the victim's mmap_lock for read,
    unmaps its anonymous memory and sets MMF_OOM_SKIP, and when memory runs out again the OOM killer picks
    another process — while the backup is still stuck.

    Act 2. The same, but the backup holds mmap_lock for 5 s: the reaper tries 10 times, HZ/10 apart, prints
    "oom_reaper: unable to reap" at +3 s and sets MMF_OOM_SKIP anyway; the next OOM kills another process
    although the backup's memory only comes back when it exits at +5 s.

    Writes one SVG chart per act (Export-OomTimelineChart: memory over time, kills marked) to the temp folder.
    Run from the repository root after `dotnet pwsh ./build.ps1 Build`; exits 1 if anything happens otherwise
    than the kernel would.
#>
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../out/OomTools/OomTools.psd1') -Force

$failures = [System.Collections.Generic.List[string]]::new()
function Check([bool]$ok, [string]$what) {
    if ($ok) { Write-Host "  ok   $what" } else { Write-Host "  FAIL $what"; $failures.Add($what) }
}

function New-StuckMachine([string]$Name, [int]$LockMs, [int]$ExitMs) {
    # 2 GiB of RAM = 524288 pages of 4 KiB, HZ=250 (a jiffy is 4 ms), completely full:
    # 3072 + 256000 + 102400 + 162816 = 524288 pages.
    $m = New-OomMachine -Name $Name -Memory 2GB
    Add-OomTask -Machine $m -Pid 1   -Name systemd   -AnonRss 12MB                       # global init: never chosen
    Add-OomTask -Machine $m -Pid 300 -Name backup    -AnonRss 1000MB                     # 256000 pages
    Add-OomTask -Machine $m -Pid 400 -Name batch-job -AnonRss 400MB                      # 102400 pages
    Add-OomTask -Machine $m -Pid 500 -Name api       -AnonRss 636MB -OomScoreAdj -800    # 162816 pages, protected
    Set-OomTask -Machine $m -Pid 300 -HoldMmapLock $LockMs -ExitLatency $ExitMs
    $m
}

function Show($events) {
    $events | Format-Table @{ n = 'Time'; e = { '{0,6:F3} s' -f $_.Seconds } }, Kind, Pid, Name, Pages, Text -AutoSize |
        Out-String -Width 220 | Write-Host
}

# ---------------------------------------------------------------------------------------------------------
Write-Host "`n== Act 1: the victim is stuck in D state for 10 s; it drops mmap_lock after 1.5 s"
$m = New-StuckMachine -Name db01 -LockMs 1500 -ExitMs 10000

# t = 0: api's page fault finds no free page. The OOM killer scores backup 256000, batch-job 102400,
# api 162816 - 800 * (524288 / 1000) = 162816 - 419200 = -256384: backup dies.
$first = Invoke-OutOfMemory -Machine $m -Current 500 -GfpMask GFP_HIGHUSER_MOVABLE
Write-Host "  t=0.000 s  $($first.Reason)"
Check ($first.Victim.Pid -eq 300 -and $first.VictimPoints -eq 256000) 'the first OOM kills backup (256000 points)'
# The charts are made of timeline events; this OOM ran on its own, so it becomes one (at 0 s, memory full).
$plot1 = [System.Collections.Generic.List[OomTools.Engine.Timeline.TimelineEvent]]::new()
$plot1.Add($first.ToTimelineEvent())

# Half a second later api allocates again (1200 MB at 400 MB/s). Nothing is free: its OOM aborts because
# backup is still an exiting victim; it waits (here: until the next thing happens on the timeline).
Step-OomTime -Machine $m -Milliseconds 500 | Out-Null
$events = @(Invoke-OomAllocation -Machine $m -Pid 500 -Size 1200MB -Rate 400MB -Detail)
$events | ForEach-Object { $plot1.Add($_) }
Show ($events | Where-Object Kind -NE 'Allocated')

$ooms = @($events | Where-Object Kind -EQ 'OutOfMemory')
$aborted = $ooms[0]
Check ($aborted.Seconds -eq 0.5 -and $aborted.Outcome.Aborted -and $aborted.Outcome.AbortedBy.Pid -eq 300) 'at 0.5 s the next OOM aborts: backup is still exiting'
$reaped = @($events | Where-Object Kind -EQ 'Reaped')
Check ($reaped.Count -eq 1 -and $reaped[0].Seconds -eq 2.0 -and $reaped[0].Pid -eq 300 -and $reaped[0].Pages -eq 256000) `
    'at exactly 2.0 s (OOM_REAPER_DELAY = 2*HZ) the oom_reaper frees backup''s 256000 anonymous pages'
Check ($reaped.Count -eq 1 -and $reaped[0].Text -eq 'oom_reaper: reaped process 300 (backup), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB') `
    'the kernel''s line: oom_reaper: reaped process 300 (backup), now anon-rss:0kB, ...'
$kills = @($ooms | Where-Object { @($_.Outcome.Killed).Count -gt 0 })
Check ($kills.Count -eq 1 -and $kills[0].Outcome.Victim.Pid -eq 400 -and $kills[0].Seconds -gt 2.0) 'when memory runs out again, the OOM killer picks batch-job (400), not the stuck backup'
Check ($m.FindTask(300).Mm.Has([OomTools.Engine.Model.MmFlags]::OomSkip)) 'backup, still on the task list, is passed over: the reaper set MMF_OOM_SKIP'
Check ($null -ne $m.FindTask(300)) 'backup is still stuck in D state when batch-job dies'
# 400 MB/s = 102400 pages/s, 819 pages per 8 ms tick: 375 ticks of 819 and a last one of 75.
Check ($events[-1].Kind -eq 'Allocated' -and $events[-1].Text -eq 'allocated 75 pages (307200 of 307200)') 'api gets all of its 1200 MB (307200 pages)'

$rest = @(Step-OomTime -Machine $m -UntilIdle)
$exit = @($rest | Where-Object { $_.Kind -eq 'Exit' -and $_.Pid -eq 300 })
Check ($exit.Count -eq 1 -and $exit[0].Seconds -eq 10.0 -and $exit[0].Pages -eq 0) 'backup finally exits at 10 s, with nothing left to free'
$rest | ForEach-Object { $plot1.Add($_) }

$svg1 = Join-Path ([System.IO.Path]::GetTempPath()) 'oomtools-stuck-victim-reaped.svg'
$null = $plot1 | Export-OomTimelineChart -LiteralPath $svg1 -LimitPages $m.TotalRamPages.Value `
    -Title 'Act 1: a victim stuck in D state, reaped 2 s after the kill'
Write-Host "  plot: $svg1"

# ---------------------------------------------------------------------------------------------------------
Write-Host "`n== Act 2: the victim holds mmap_lock for write for 5 s: the reaper cannot take it"
$m = New-StuckMachine -Name db02 -LockMs 5000 -ExitMs 20
$first = Invoke-OutOfMemory -Machine $m -Current 500 -GfpMask GFP_HIGHUSER_MOVABLE
Check ($first.Victim.Pid -eq 300) 'the first OOM kills backup'
$plot2 = [System.Collections.Generic.List[OomTools.Engine.Timeline.TimelineEvent]]::new()
$plot2.Add($first.ToTimelineEvent())
$blocked = @(Step-OomTime -Machine $m -Milliseconds 500)
Check ($blocked.Count -eq 1 -and $blocked[0].Kind -eq 'ExitBlocked' -and $blocked[0].Seconds -eq 0.02) 'at 20 ms its exit blocks on mmap_lock (uninterruptible sleep)'
$blocked | ForEach-Object { $plot2.Add($_) }

$events = @(Invoke-OomAllocation -Machine $m -Pid 500 -Size 300MB -Rate 400MB -Detail)
$events | ForEach-Object { $plot2.Add($_) }
Show ($events | Where-Object Kind -NE 'Allocated')
$retries = @($events | Where-Object Kind -EQ 'ReapRetry')
Check ((@($retries.Seconds) -join ',') -eq '2,2.1,2.2,2.3,2.4,2.5,2.6,2.7,2.8,2.9') 'ten reap attempts at 2.0, 2.1, ..., 2.9 s (HZ/10 apart), each failing mmap_read_trylock'
$gaveUp = @($events | Where-Object Kind -EQ 'UnableToReap')
Check ($gaveUp.Count -eq 1 -and $gaveUp[0].Seconds -eq 3.0) 'after one more HZ/10 sleep, at 3.0 s, the reaper gives up'
Check ((Get-OomLog -Machine $m | Where-Object Text -EQ 'oom_reaper: unable to reap pid:300 (backup)' | Select-Object -First 1).Timestamp -eq '[    3.000000]') `
    'the kernel''s line at 3.000000: oom_reaper: unable to reap pid:300 (backup)'
$kills = @($events | Where-Object { $_.Kind -eq 'OutOfMemory' -and @($_.Outcome.Killed).Count -gt 0 })
Check ($kills.Count -eq 1 -and $kills[0].Seconds -eq 3.0 -and $kills[0].Outcome.Victim.Pid -eq 400) 'MMF_OOM_SKIP is set anyway, so at 3.0 s the next OOM kills batch-job'
Check (@($events | Where-Object { $_.Kind -eq 'OutOfMemory' -and $_.Outcome.Aborted }).Count -eq 11) 'until then every OOM of api aborted (0.5 s and after each attempt)'
Check ($m.FindTask(300).AnonPages.Value -eq 256000) 'backup still holds its 1000 MB: two processes died for one shortage'
$rest = @(Step-OomTime -Machine $m -UntilIdle)
$exit = @($rest | Where-Object { $_.Kind -eq 'Exit' -and $_.Pid -eq 300 })
Check ($exit.Count -eq 1 -and $exit[0].Seconds -eq 5.0 -and $exit[0].Pages -eq 256000) 'backup exits when its lock is released at 5 s and exit_mmap frees the 256000 pages'
$rest | ForEach-Object { $plot2.Add($_) }

$svg2 = Join-Path ([System.IO.Path]::GetTempPath()) 'oomtools-stuck-victim-unable-to-reap.svg'
$null = $plot2 | Export-OomTimelineChart -LiteralPath $svg2 -LimitPages $m.TotalRamPages.Value `
    -Title 'Act 2: a victim holding mmap_lock: unable to reap, and a second kill'
Write-Host "  plot: $svg2"

if ($failures.Count) { Write-Host "`nstuck-victim: $($failures.Count) check(s) failed."; exit 1 }
Write-Host "`nstuck-victim: the story played out as the kernel would."
exit 0
