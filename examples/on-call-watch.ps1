#!/usr/bin/env pwsh
<#
.SYNOPSIS
    On call: follow the kernel log, and for every OOM kill say who died, whether the model agrees and who dies
    next; keep each rebuilt machine for later and refresh the node_exporter textfile with this host's OOM metrics.
.DESCRIPTION
    What a host runs beside its monitoring (a systemd unit, or a shell on the host during an incident):

        Watch-OomEvent -Action { ... }            # /dev/kmsg; -Journal for journalctl -kf; -Path for a log file
        Get-OomSnapshot | Export-OomMetrics -Path /var/lib/node_exporter/textfile/oomtools.prom -Critical sshd

    For each OOM report, as soon as its "Killed process" line is written: one line with the kernel's victim, the
    model's replay of that report (agrees or not) and the next victim of the same OOM; the report's rebuilt
    machine saved as JSON into -OutputDirectory (Import-OomMachine reads it back for Get-OomKillOrder,
    Test-OomProtection, ...); and the metrics file rewritten from a fresh snapshot of this host (its oom_kill
    counter has just moved).

    Without -Live, -Journal or -Path the runbook shows itself on a recorded storm: a real memory-cgroup OOM log
    from tests/fixtures is written line by line into a growing file by a background thread while Watch-OomEvent
    -Path follows that file, as it would follow /var/log/kern.log.

    Exit code: 0 when every expected event arrived and was replayed (in the demo: every report of the recorded
    log); 2 when the watch ended with fewer events than -Count, or a replay failed.
.EXAMPLE
    dotnet pwsh -NoProfile -File examples/on-call-watch.ps1
.EXAMPLE
    dotnet pwsh -NoProfile -File examples/on-call-watch.ps1 -Live -Count 1 -Timeout 3600 -Critical sshd, postgres
#>
param(
    # Follow /dev/kmsg (needs CAP_SYSLOG or kernel.dmesg_restrict=0).
    [switch] $Live,
    # Follow the journal's kernel messages (journalctl -k -f).
    [switch] $Journal,
    # Follow this growing log file (/var/log/kern.log, ...).
    [string] $Path,
    # Stop after this many OOM events (the demo: as many as its log holds).
    [ValidateRange(1, 1000000)]
    [int] $Count,
    # Stop after this many seconds.
    [ValidateRange(1, 86400)]
    [int] $Timeout = 60,
    # Where the rebuilt machines and the metrics file go; a new folder under the temp folder by default.
    [string] $OutputDirectory = (Join-Path ([System.IO.Path]::GetTempPath()) ('oomtools-on-call-{0:yyyyMMdd-HHmmss}-{1}' -f (Get-Date), (Get-Random -Maximum 100000))),
    # The services whose rank and protection the metrics carry (each must run on this host).
    [string[]] $Critical = @()
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../out/OomTools/OomTools.psd1') -Force
$null = New-Item -ItemType Directory -Force -Path $OutputDirectory
$metrics = Join-Path $OutputDirectory 'oomtools.prom'

$source = @{}
$writer = $null
if ($Live) { }
elseif ($Journal) { $source.Journal = $true }
elseif ($Path) { $source.Path = $Path }
else {
    # The demo: a recorded storm (several OOMs of one memory cgroup) written into a growing file.
    $recorded = Join-Path $PSScriptRoot '../tests/fixtures/kernel-logs/memcg/memcg-1009.log'
    if (-not $Count) { $Count = @(Import-OomReport -LiteralPath $recorded).Count }
    $source.Path = Join-Path $OutputDirectory 'kern.log'
    $null = New-Item -ItemType File -Force -Path $source.Path
    $writer = Start-ThreadJob -ArgumentList $recorded, $source.Path -ScriptBlock {
        param($from, $to)
        Start-Sleep -Milliseconds 500          # the watch is at the end of the file by then
        foreach ($line in [System.IO.File]::ReadLines($from)) {
            [System.IO.File]::AppendAllText($to, "$line`n")
            if ($line -match 'Killed process') { Start-Sleep -Milliseconds 200 }   # the next OOM comes later
        }
    }
}
if (-not $Count) { $Count = 1 }

Write-Host "Watching $(if ($source.Path) { $source.Path } elseif ($Journal) { 'the journal' } else { '/dev/kmsg' }) for $Count OOM event(s), at most $Timeout s; machines and metrics in $OutputDirectory"
$failed = 0
$n = 0
$lastMemcg = $null
$events = @(Watch-OomEvent @source -Count $Count -Timeout $Timeout -Action {
        $e = $_
        $script:n++
        $when = $e.ReceivedAt.ToString('HH:mm:ss.fff')
        if (-not $e.Replay) {
            $script:failed++
            Write-Host ("[{0}] #{1} the kernel killed {2} ({3}); not replayed: {4}" -f $when, $script:n, $e.KernelVictim, $e.KernelVictimName, $e.NotReplayedReason)
            return
        }
        $verdict = if ($e.Agrees) { 'the model agrees' } else { "the model would have killed $($e.ModelVictim)" }
        $next = if ($e.NextVictim) { "next: $($e.NextVictim) ($($e.NextVictimName))" } else { 'next: nobody left to kill' }
        Write-Host ("[{0}] #{1} the kernel killed {2} ({3}); {4}; {5}" -f $when, $script:n, $e.KernelVictim, $e.KernelVictimName, $verdict, $next)
        $script:lastMemcg = $e.Report.OomMemcg
        Export-OomMachine -Machine $e.Report.Machine -LiteralPath (Join-Path $OutputDirectory ('oom-{0:D3}-{1}.json' -f $script:n, $e.KernelVictim)) -Force
        # The host's own view, refreshed now that its oom_kill counter has moved (a snapshot needs Linux /proc).
        if (Test-Path -LiteralPath '/proc/self/oom_score') {
            $with = if ($Critical) { @{ Critical = $Critical } } else { @{} }
            Get-OomSnapshot -WarningAction SilentlyContinue | Export-OomMetrics -LiteralPath $metrics -Force @with
        }
    })
if ($writer) { $null = $writer | Wait-Job -Timeout 30; $writer | Remove-Job -Force }

$saved = @(Get-ChildItem -LiteralPath $OutputDirectory -Filter 'oom-*.json')
Write-Host ''
Write-Host "$($events.Count) event(s), $failed not replayed; $($saved.Count) machine(s) saved in $OutputDirectory"
if (Test-Path -LiteralPath $metrics) {
    $kills = Select-String -LiteralPath $metrics -Pattern '^oomtools_oom_kills_total ' | Select-Object -First 1
    Write-Host "metrics: $metrics$(if ($kills) { " ($($kills.Line))" })"
}
if ($saved.Count) {
    # What an engineer does next with a saved machine (the state the last report printed, before its kill): the
    # kills its OOM would go on to make, in the same memory cgroup when it was a cgroup's OOM.
    $last = Import-OomMachine -LiteralPath $saved[-1].FullName
    $scope = if ($lastMemcg -and $lastMemcg -ne '/') { @{ Cgroup = $lastMemcg } } else { @{} }
    Write-Host "the last saved machine, the kills its OOM would make$(if ($scope.Count) { " in $lastMemcg" }):"
    Get-OomKillOrder -Machine $last -Kills 3 @scope | Format-Table -AutoSize | Out-Host
}
if ($events.Count -lt $Count -or $failed) { exit 2 }
exit 0
