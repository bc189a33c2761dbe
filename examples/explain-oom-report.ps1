#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Post-mortem: explain a real kernel OOM report - what happened, whom the kernel chose and why, and who
    would have died if the victim had been protected.
.DESCRIPTION
    Reads the log with Import-OomReport and, for every OOM event in it:
      1. prints the event: when, which kernel, which allocation, the constraint and the domain's size;
      2. prints the kernel's choice, with its task-table row;
      3. ranks the processes on the machine rebuilt from the report (Get-OomBadness, inside the memory
         cgroup for a memcg OOM), with the scoring rules of the kernel that wrote the report;
      4. replays the event (Invoke-OutOfMemory -Report) and says whether the replay makes the kernel's choice;
      5. asks "if the victim had had oom_score_adj -1000, who would have died?" on a copy of the machine.
    Exits 1 if a replay disagrees with the kernel (or the log cannot be read), 2 if the log holds no event
    that can be replayed, so the runbook can gate a fix (for example an oom_score_adj change) on the model
    agreeing with the kernel.

    Without -Path it explains a published report: a Debian 11 mail server (Linux 5.10) whose clamd was
    killed in a global OOM (tests/fixtures/kernel-logs/public, sample of ewk/parseoom).
.EXAMPLE
    dotnet pwsh -NoProfile -File examples/explain-oom-report.ps1
.EXAMPLE
    dotnet pwsh -NoProfile -File examples/explain-oom-report.ps1 -Path /var/log/kern.log
#>
param(
    # A kernel log: dmesg output, /var/log/messages or kern.log, journalctl -k output saved to a file.
    [string] $Path = (Join-Path $PSScriptRoot '../tests/fixtures/kernel-logs/public/25-parseoom-debian11-5.10-clamd-global-hugepages.log')
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../out/OomTools/OomTools.psd1') -Force

function Write-Table($InputObject) { $InputObject | Out-String -Width 160 | Write-Host }

$reports = @(Import-OomReport -LiteralPath $Path)
Write-Host "$([System.IO.Path]::GetFullPath($Path)): $($reports.Count) OOM event(s)"
$replayed = 0; $disagreed = 0

foreach ($r in $reports) {
    Write-Host ''
    Write-Host ('=' * 100)
    Write-Host "Event $($r.Index) at $($r.Time)"
    Write-Host ('=' * 100)

    # 1. The event.
    $kernel = if ($r.KernelRelease) { $r.KernelRelease } elseif ($r.Machine) { "not printed (replayed with the rules of $($r.Machine.Scoring.Version))" } else { 'not printed' }
    $trigger = if ($r.TriggerName) { "$($r.TriggerName) (pid $($r.TriggerPid))" } else { 'not in the report' }
    $domain = if ($r.Cgroup) { "memory cgroup $($r.Cgroup) (CONSTRAINT_MEMCG), limit $($r.MemcgLimitKb) kB" }
              elseif ($null -ne $r.PagesRam) { "CONSTRAINT_$("$($r.Constraint)".ToUpperInvariant()): $($r.PagesRam) pages RAM - $($r.PagesReserved) reserved, Total swap = $($r.TotalSwapKb) kB" }
              else { 'not in the report' }
    Write-Host "Kernel     : $kernel"
    if ($r.GfpMask) { Write-Host "Allocation : $trigger, gfp_mask=$($r.GfpMask), order=$($r.Order)$(if ($r.Order -eq -1) { ' (SysRq-f)' })" }
    else { Write-Host "Allocation : $trigger" }
    Write-Host "Domain     : $domain"
    Write-Host "Task table : $($r.Tasks.Count) processes"
    foreach ($a in $r.Assumptions) { Write-Host "Assumed    : $a" }

    # 2. The kernel's choice.
    $row = $r.Tasks | Where-Object Pid -EQ $r.SelectedPid | Select-Object -First 1
    Write-Host ''
    Write-Host "The kernel chose $($r.SelectedPid) ($($r.SelectedName))$(if ($null -ne $r.SelectedScore) { ", printed score $($r.SelectedScore)" }); killed: $(@($r.KilledPids) -join ', ')"
    if ($row) {
        Write-Host "  its row: uid $($row.Uid), rss $($row.Rss) pages, swap $($row.SwapEnts) pages, oom_score_adj $($row.OomScoreAdj)"
    }

    if (-not $r.Replayable) {
        Write-Host "Cannot replay this event: $($r.NotReplayableReason)."
        continue
    }

    # 3. The ranking on the rebuilt machine, in the OOM's domain.
    $scope = @{}
    if ($r.Cgroup) { $scope.Cgroup = $r.Cgroup }
    $ranked = @(Get-OomBadness -Machine $r.Machine @scope | Where-Object Rank -GT 0 | Sort-Object Rank)
    Write-Host ''
    Write-Host "Candidates, ranked with the $($r.Machine.Scoring) (top 8 of $($ranked.Count)):"
    if ($r.Machine.Scoring.PerMille) { Write-Host '(a kernel of that age scores per mille of the domain: Points is out of 1000, its parts are in pages)' }
    Write-Table ($ranked | Select-Object -First 8)

    # A copy for the what-if, taken before the replay kills on the report's machine.
    $copy = $r.Machine.Clone()

    # 4. The replay.
    $o = Invoke-OutOfMemory -Report $r -WarningAction SilentlyContinue
    $replayed++
    Write-Host "Replay     : $($o.Reason)"
    if ($o.AgreesWithKernel) {
        Write-Host "Agreement  : yes - the replay chose $($o.Victim.Pid) too, with $($o.VictimPoints) points of $($o.TotalPages) pages."
    } else {
        $disagreed++
        Write-Host "Agreement  : NO - $($o.Disagreement)"
    }

    # 5. What if the victim had been protected?
    Set-OomTask -Machine $copy -Pid $r.SelectedPid -OomScoreAdj -1000
    $w = Invoke-OutOfMemory -Machine $copy @scope
    Write-Host ''
    Write-Host "What if $($r.SelectedName) ($($r.SelectedPid)) had had oom_score_adj -1000?"
    if ($w.Victim) {
        $next = $w.Candidates | Where-Object Pid -EQ $w.Victim.Pid | Select-Object -First 1
        Write-Host "  $($w.Victim.Pid) ($($w.Victim.Comm)) would have died instead, with $($w.VictimPoints) points (rss $($next.RssPages), swap $($next.SwapPages), page tables $($next.PageTablePages) pages; oom_score_adj $($next.OomScoreAdj))."
    } else {
        Write-Host "  $($w.Reason)"
    }
}

Write-Host ''
if ($replayed -eq 0) {
    Write-Host 'No event in this log could be replayed.'
    exit 2
}
Write-Host "$replayed event(s) replayed, $($replayed - $disagreed) agree with the kernel."
if ($disagreed -gt 0) { exit 1 }
