#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Before the next OOM: audit a Linux host - who the kernel would kill first, in which order, whether the
    critical processes are safe - and check the model against the kernel's own /proc/PID/oom_score.
.DESCRIPTION
    1. Snapshots this host with Get-OomSnapshot, or a saved copy of its /proc and cgroup trees (-ProcRoot;
       on a host without /proc, the saved host in tests/fixtures/host-proc).
    2. The kernel check: every process's simulated oom_score must equal /proc/PID/oom_score. On the live host a
       process that disagrees is read again around a fresh snapshot, up to 4 times. A difference counts when
       the same one is read twice in a row with the process's counters still around each read. Processes that exit, or whose counters move at
       every read, are left out. On a saved copy the saved oom_score files are compared.
    3. Prints the ranking (Get-OomBadness), the first -Kills kills of a global OOM storm (Get-OomKillOrder) and
       a protection report for the -Critical processes (Test-OomProtection): rank, margin, who dies before,
       the highest safe oom_score_adj.
    4. A Kubernetes what-if: a 16 GiB node with Guaranteed, Burstable and BestEffort pods, their oom_score_adj
       from Get-OomKubeletScoreAdj, and its kill order.
    Exits 1 if a stable process's oom_score disagrees with the kernel's, so a runbook can trust the rest.
.EXAMPLE
    dotnet pwsh -NoProfile -File examples/audit-host.ps1
.EXAMPLE
    dotnet pwsh -NoProfile -File examples/audit-host.ps1 -Critical sshd, postgres -Kills 10
.EXAMPLE
    dotnet pwsh -NoProfile -File examples/audit-host.ps1 -ProcRoot tests/fixtures/host-proc/proc
#>
param(
    # A saved /proc tree (Save-HostProc.ps1 makes one). Default: /proc on Linux, the saved fixture elsewhere.
    [string] $ProcRoot,
    # The cgroup root to go with it. Default: /sys/fs/cgroup for /proc, the "cgroup" folder next to a saved proc tree.
    [string] $CgroupRoot,
    # The processes that must survive, by name (wildcards allowed). Default: the names of the two largest processes.
    [string[]] $Critical,
    # How many OOM kills to look at.
    [int] $Kills = 5
)
$ErrorActionPreference = 'Stop'
Import-Module (Join-Path $PSScriptRoot '../out/OomTools/OomTools.psd1') -Force

function Write-Table($InputObject) { $InputObject | Out-String -Width 160 | Write-Host }
function Write-Section([string]$Title) { Write-Host ''; Write-Host ('=' * 100); Write-Host $Title; Write-Host ('=' * 100) }

# 1. The snapshot.
$live = -not $ProcRoot -and (Test-Path -LiteralPath '/proc/self/oom_score')
if (-not $ProcRoot) {
    $ProcRoot = if ($live) { '/proc' } else { Join-Path $PSScriptRoot '../tests/fixtures/host-proc/proc' }
}
$ProcRoot = $ExecutionContext.SessionState.Path.GetUnresolvedProviderPathFromPSPath($ProcRoot)
if (-not $CgroupRoot) { $CgroupRoot = if ($ProcRoot -eq '/proc') { '/sys/fs/cgroup' } else { Join-Path (Split-Path $ProcRoot) 'cgroup' } }
$m = Get-OomSnapshot -ProcRoot $ProcRoot -CgroupRoot $CgroupRoot
$ram = $m.TotalRamPages.Value; $swap = $m.TotalSwapPages.Value
Write-Section "Host $($m.Name): $(if ($live) { 'live' } else { "saved copy $ProcRoot" })"
Write-Host ("{0} processes; RAM {1} pages, swap {2} pages: totalpages {3}, one point of oom_score_adj = {4} pages; memory cgroups v{5}" -f
    $m.TaskCount, $ram, $swap, ($ram + $swap), [long][Math]::Floor(($ram + $swap) / 1000), "$($m.CgroupVersion)".TrimStart('V'))

# 2. The kernel check.
function Read-ProcFile([string]$Path) { try { [System.IO.File]::ReadAllText($Path) } catch { $null } }
function Get-Counters([int]$ProcessId) {
    $status = Read-ProcFile "$ProcRoot/$ProcessId/status"; $adj = Read-ProcFile "$ProcRoot/$ProcessId/oom_score_adj"
    if ($null -eq $status -or $null -eq $adj) { return $null }
    (@($status -split "`n" | Where-Object { $_ -match '^(RssAnon|RssFile|RssShmem|VmPTE|VmSwap|Threads):' }) + "adj:$($adj.Trim())") -join '|'
}
function Read-OomScore([int]$ProcessId) {
    $text = Read-ProcFile "$ProcRoot/$ProcessId/oom_score"
    if ($null -eq $text) { $null } else { [long]$text.Trim() }
}

$ranking = @(Get-OomBadness -Machine $m)
$same = 0; $exited = 0; $unsaved = 0; $moving = 0
$differ = [System.Collections.Generic.List[string]]::new()
foreach ($c in $ranking) {
    $kernel = Read-OomScore $c.Pid
    if ($null -eq $kernel) { if ($live) { $exited++ } else { $unsaved++ }; continue }
    if ($kernel -eq $c.OomScore) { $same++; continue }
    if (-not $live) { $differ.Add("$($c.Pid) ($($c.Name)): simulated $($c.OomScore), saved $kernel"); continue }
    # Moved between the snapshot and the read? Read it again around a fresh snapshot, up to 4 times: the same value
    # is agreement; the same different value twice in a row, with the counters unchanged around each read, is a real
    # difference (once is not: a busy process's counters can move and come back between two reads of status); a
    # process whose counters move at every read is not stable and is left out.
    $verdict = 'moving'; $last = ''; $seen = $null
    for ($try = 1; $try -le 4 -and $verdict -eq 'moving'; $try++) {
        $before = Get-Counters $c.Pid
        $again = Get-OomSnapshot -ProcRoot $ProcRoot -CgroupRoot $CgroupRoot | Get-OomBadness -Pid $c.Pid -ErrorAction SilentlyContinue
        $kernel = Read-OomScore $c.Pid
        $after = Get-Counters $c.Pid
        if ($null -eq $before -or $null -eq $after -or $null -eq $again -or $null -eq $kernel) { $verdict = 'exited' }
        elseif ($kernel -eq $again.OomScore) { $verdict = 'same' }
        elseif ($before -ne $after) { $seen = $null }
        else {
            $now = "simulated $($again.OomScore), kernel $kernel"
            if ($now -eq $seen) { $verdict = 'differ'; $last = $now } else { $seen = $now }
        }
    }
    switch ($verdict) {
        'same' { $same++ }
        'exited' { $exited++ }
        'moving' { $moving++ }
        default { $differ.Add("$($c.Pid) ($($c.Name)): $last") }
    }
}
Write-Section 'The kernel check: simulated oom_score against /proc/PID/oom_score'
$what = if ($live) { "$exited exited while checked, $moving never still long enough to compare" } else { "$unsaved without a saved oom_score" }
Write-Host "$same same, $($differ.Count) differ ($what)"
foreach ($d in $differ) { Write-Host "  DIFFERS: $d" }

# 3. The ranking, the kill order and the critical processes.
Write-Section 'Whom a global OOM would choose (top 10 of the killable processes)'
Write-Table ($ranking | Where-Object Rank -GT 0 | Sort-Object Rank | Select-Object -First 10 |
        Format-Table Rank, Pid, Name, Cgroup, Points, RssPages, SwapPages, PageTablePages, OomScoreAdj, OomScore)
$never = @($ranking | Where-Object Rank -EQ 0)
Write-Host ("Never chosen: {0} ({1})" -f $never.Count, (($never | Group-Object Reason | ForEach-Object { "$($_.Count) $($_.Name)" }) -join ', '))

Write-Section "The first $Kills kills, OOM after OOM (each victim exits and frees its memory)"
Write-Table (Get-OomKillOrder -Machine $m -Kills $Kills | Format-Table Step, Pid, Name, Points, Killed, Freed, TotalFreed, Cgroup)

$Critical = @($Critical -split ',' | ForEach-Object Trim | Where-Object { $_ })   # -File passes "a,b" as one string
if (-not $Critical) {
    $Critical = @($m.Tasks | Where-Object { $_.Mm } | Sort-Object { $_.Rss.Value } -Descending | ForEach-Object Comm |
            Select-Object -Unique -First 2)
    Write-Host "No -Critical given: the names of the two largest processes, $($Critical -join ' and ')."
}
Write-Section "Protection of $($Critical -join ', ') against the first $Kills kills"
$reports = @(Test-OomProtection -Machine $m -Name $Critical -Kills $Kills -ErrorAction SilentlyContinue -ErrorVariable notFound)
foreach ($e in $notFound) { Write-Host "  $e" }
Write-Table ($reports | Format-Table Pid, Name, OomScoreAdj, Rank, Points, Above, MarginPages, KillPosition, Protected, MaxSafeOomScoreAdj)
foreach ($r in $reports) {
    $verdict = if ($r.Protected) { "survives the first $Kills OOMs" } else { "is killed in OOM #$($r.KillPosition) of the first $Kills" }
    $advice = if ($null -eq $r.MaxSafeOomScoreAdj) { 'no oom_score_adj above -1000 keeps it alive that long' }
              else { "it survives them at any oom_score_adj up to $($r.MaxSafeOomScoreAdj)" }
    Write-Host "  $($r.Pid) ($($r.Name)) $verdict; $advice."
}

# 4. A Kubernetes node, what if.
Write-Section 'What if: a 16 GiB Kubernetes node'
$node = New-OomMachine -Name k8s-node -Memory 16GB
Add-OomTask -Machine $node -Pid 1 -Name systemd -Rss 12MB
Add-OomTask -Machine $node -Pid 400 -Name kubelet -Rss 150MB -OomScoreAdj -999
Add-OomTask -Machine $node -Pid 450 -Name containerd -Rss 80MB -OomScoreAdj -999
$pods = @(
    [pscustomobject]@{ Pid = 1000; Name = 'postgres'; QosClass = 'Guaranteed'; MemoryRequest = 6GB; Rss = 5GB }
    [pscustomobject]@{ Pid = 2000; Name = 'api'; QosClass = 'Burstable'; MemoryRequest = 2GB; Rss = 3GB }
    [pscustomobject]@{ Pid = 2100; Name = 'worker'; QosClass = 'Burstable'; MemoryRequest = 1GB; Rss = 700MB }
    [pscustomobject]@{ Pid = 3000; Name = 'report-job'; QosClass = 'BestEffort'; MemoryRequest = 0; Rss = 900MB }
)
$adjs = @($pods | Get-OomKubeletScoreAdj -MemoryCapacity 16GB)
for ($i = 0; $i -lt $pods.Count; $i++) {
    $p = $pods[$i]
    Add-OomTask -Machine $node -Pid $p.Pid -Name $p.Name -Rss $p.Rss -OomScoreAdj $adjs[$i].OomScoreAdj
    $p | Add-Member -NotePropertyName OomScoreAdj -NotePropertyValue $adjs[$i].OomScoreAdj
}
Write-Table ($pods | Format-Table Pid, Name, QosClass, MemoryRequest, Rss, OomScoreAdj)
Write-Table (Get-OomKillOrder -Machine $node | Format-Table Step, Pid, Name, Points, Freed, TotalFreed)
Write-Host 'The Burstable api, 1 GiB over its request, outranks the BestEffort job; Guaranteed postgres goes last of the pods.'

if ($differ.Count) {
    Write-Host ''
    Write-Host "FAIL: the snapshot disagrees with the kernel for $($differ.Count) process(es); the audit above is not to be trusted."
    exit 1
}
exit 0
