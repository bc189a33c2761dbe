#!/usr/bin/env pwsh
<#
.SYNOPSIS
    Fleet audit: collect a machine from every host, bring them home through PowerShell serialization, and
    check that each host's critical processes survive the first OOM kills; an HTML report per host.
.DESCRIPTION
    What a fleet runbook does with OomTools:

        $machines = Invoke-Command -ComputerName $hosts { Import-Module OomTools; Get-OomSnapshot }
        $machines | Import-OomMachine | ForEach-Object { Test-OomProtection -Machine $_ -Name postgres }

    Here the hosts are built in this session (a web tier and a database), and the trip to and from each host
    is a PSSerializer round trip: the same serialization Invoke-Command applies, which turns an OomMachine into
    a Deserialized.OomTools.Engine.Model.OomMachine. Import-OomMachine rebuilds each machine from the JSON it
    carries, and the runbook checks the rebuilt machine is the one that left (same oomtools.machine/v1 text).
    -IncludeThisHost adds a Get-OomSnapshot of this Linux host, with -ThisHostCritical as its critical names.

    With -HostName the fleet is real: over PowerShell remoting on SSH (Invoke-Command -HostName, up to
    -ThrottleLimit hosts at once) each host runs `Import-Module OomTools; Get-OomSnapshot` (it needs sshd's
    `powershell` subsystem and the module installed), and what comes back is the
    Deserialized.OomTools.Engine.Model.OomMachine that Import-OomMachine rebuilds. -Port, -UserName,
    -KeyFilePath and -SSHOption (ssh -o options, e.g. @{ StrictHostKeyChecking = 'yes' }) go to Invoke-Command;
    a host may also be given as user@host:port. A host that cannot be reached, or fails to snapshot, exits 2. Each host's critical processes are -HostCritical. The demo
    hosts are then left out; -IncludeThisHost still adds this one.

    For each host: Test-OomProtection on its role's critical processes, and into -OutputDirectory an HTML
    report (Export-OomAuditReport) and the machine itself (Export-OomMachine, to look at again later).

    Exit code: 0 when every critical process of every host survives the first -Kills OOM kills; 1 when one
    does not, or is missing; 2 when a machine did not come back as it left, a host could not be reached or
    snapshotted, or a report was not written.
.EXAMPLE
    dotnet pwsh -NoProfile -File examples/fleet-audit.ps1
.EXAMPLE
    dotnet pwsh -NoProfile -File examples/fleet-audit.ps1 -Kills 3 -IncludeThisHost -ThisHostCritical sshd
.EXAMPLE
    pwsh -NoProfile -File examples/fleet-audit.ps1 -HostName web-01, web-02, db-01 -UserName ops -KeyFilePath ~/.ssh/id_ed25519 -HostCritical sshd, postgres

    Audits three real hosts over SSH remoting, three at once.
#>
param(
    # Each critical process must survive this many OOM kills.
    [ValidateRange(1, 1000)]
    [int] $Kills = 2,
    # Where the reports go; a new folder under the temp folder by default.
    [string] $OutputDirectory = (Join-Path ([System.IO.Path]::GetTempPath()) ('oomtools-fleet-audit-{0:yyyyMMdd-HHmmss}-{1}' -f (Get-Date), (Get-Random -Maximum 100000))),
    # Also audit this host (Linux: Get-OomSnapshot reads /proc and the cgroup tree).
    [switch] $IncludeThisHost,
    [string[]] $ThisHostCritical = @('sshd', 'systemd-journal*'),
    # Audit these hosts over PowerShell remoting on SSH (Invoke-Command -HostName) instead of the demo fleet.
    [string[]] $HostName,
    # The SSH port of every -HostName (0: ssh's default, or the :port of a host).
    [ValidateRange(0, 65535)]
    [int] $Port = 0,
    # The user to log in as on every -HostName (default: ssh's, or the user@ of a host).
    [string] $UserName,
    # The private key to log in with (default: ssh's own choice).
    [string] $KeyFilePath,
    # ssh -o options for the connections (Invoke-Command -Options), as a hashtable.
    [hashtable] $SSHOption,
    # How many -HostName hosts are collected at once.
    [ValidateRange(1, 1000)]
    [int] $ThrottleLimit = 32,
    # The critical processes of each -HostName host.
    [string[]] $HostCritical = @('sshd', 'systemd-journal*')
)
$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module (Join-Path $PSScriptRoot '../out/OomTools/OomTools.psd1') -Force

# The critical processes of each role (names, wildcards allowed).
$critical = @{
    web = @('nginx', 'sshd')
    db  = @('postgres', 'sshd')
}

function New-WebHost([string] $Name, [long] $AppRss) {
    $m = New-OomMachine -Name $Name -Memory 8GB -Swap 1GB
    New-OomCgroup -Machine $m -Path /system.slice | Out-Null
    New-OomCgroup -Machine $m -Path /app.slice -MemoryMax 6GB | Out-Null
    Add-OomTask -Machine $m -Pid 1 -Name systemd -AnonRss 12MB | Out-Null
    Add-OomTask -Machine $m -Pid 410 -Name sshd -AnonRss 6MB -OomScoreAdj -1000 -Cgroup /system.slice | Out-Null
    Add-OomTask -Machine $m -Pid 900 -Name nginx -AnonRss 20MB -OomScoreAdj -100 -Cgroup /system.slice | Out-Null
    foreach ($i in 1..4) { Add-OomTask -Machine $m -Pid (900 + $i) -Name nginx -AnonRss 180MB -OomScoreAdj -100 -Cgroup /system.slice | Out-Null }
    Add-OomTask -Machine $m -Pid 2000 -Name node -AnonRss $AppRss -Threads 12 -Cgroup /app.slice | Out-Null
    Add-OomTask -Machine $m -Pid 2100 -Name fluent-bit -AnonRss 400MB -Cgroup /system.slice | Out-Null
    $m
}

function New-DbHost([string] $Name) {
    $m = New-OomMachine -Name $Name -Memory 32GB -Swap 4GB -NumaNodeCount 2
    New-OomCgroup -Machine $m -Path /system.slice | Out-Null
    New-OomCgroup -Machine $m -Path /batch.slice -MemoryMax 8GB | Out-Null
    Add-OomTask -Machine $m -Pid 1 -Name systemd -AnonRss 12MB | Out-Null
    Add-OomTask -Machine $m -Pid 410 -Name sshd -AnonRss 6MB -OomScoreAdj -1000 -Cgroup /system.slice | Out-Null
    # postgres and a process that shares its memory (CLONE_VM): both need the low oom_score_adj, or the
    # kernel takes the helper and postgres dies with it.
    Add-OomTask -Machine $m -Pid 700 -Name postgres -AnonRss 14GB -ShmemRss 4GB -PageTableBytes 96MB -OomScoreAdj -900 -Threads 8 -Cgroup /system.slice | Out-Null
    Add-OomTask -Machine $m -Pid 710 -Name postgres -SharesMemoryWith 700 -OomScoreAdj -900 -Cgroup /system.slice | Out-Null
    Add-OomTask -Machine $m -Pid 3000 -Name pg_dump -AnonRss 3GB -Cgroup /batch.slice | Out-Null
    Add-OomTask -Machine $m -Pid 3100 -Name etl -AnonRss 5GB -Threads 4 -Cgroup /batch.slice | Out-Null
    Add-OomTask -Machine $m -Pid 3200 -Name prometheus -AnonRss 1GB -Cgroup /system.slice | Out-Null
    $m
}

$fleet = [System.Collections.Generic.List[object]]::new()
if (-not $HostName) {
    $fleet.Add(@{ Role = 'web'; Build = { New-WebHost -Name 'web-01' -AppRss 3GB } })
    $fleet.Add(@{ Role = 'web'; Build = { New-WebHost -Name 'web-02' -AppRss 2GB } })
    $fleet.Add(@{ Role = 'db'; Build = { New-DbHost -Name 'db-01' } })
}
if ($IncludeThisHost) {
    $critical['this'] = @($ThisHostCritical -split ',' | Where-Object { $_ })   # -File passes "a,b" as one string
    $fleet.Add(@{ Role = 'this'; Build = { Get-OomSnapshot -WarningAction SilentlyContinue } })
}

$null = New-Item -ItemType Directory -Path $OutputDirectory -Force
$broken = [System.Collections.Generic.List[string]]::new()
$findings = [System.Collections.Generic.List[object]]::new()
$arrived = [System.Collections.Generic.List[object]]::new()

if ($HostName) {
    # The real trip: a pwsh on each host (sshd's powershell subsystem) snapshots it; what comes back is the
    # property bag remoting makes of an OomMachine, with PSComputerName saying which host sent it.
    $critical['remote'] = @($HostCritical -split ',' | Where-Object { $_ })
    $remote = @{ HostName = $HostName }
    if ($Port) { $remote.Port = $Port }
    if ($UserName) { $remote.UserName = $UserName }
    if ($KeyFilePath) { $remote.KeyFilePath = $KeyFilePath }
    if ($SSHOption) { $remote.Options = $SSHOption }
    Write-Host "== Collecting $($HostName.Count) host(s) over SSH remoting, up to $ThrottleLimit at once"
    # A session per host, then one Invoke-Command over all of them (only -Session takes a -ThrottleLimit).
    $failed = @()
    $sessions = @(New-PSSession @remote -ErrorAction SilentlyContinue -ErrorVariable unreachable)
    try {
        $back = @(if ($sessions) {
                Invoke-Command -Session $sessions -ThrottleLimit $ThrottleLimit -ErrorAction SilentlyContinue -ErrorVariable failed -ScriptBlock {
                    Import-Module OomTools -ErrorAction Stop
                    Get-OomSnapshot -WarningAction SilentlyContinue
                }
            })
    } finally { $sessions | Remove-PSSession }
    foreach ($e in @($unreachable) + @($failed)) {
        # A failed snapshot names its host in OriginInfo; a failed connection in its runspace's ConnectionInfo.
        $where = if ($e.PSObject.Properties['OriginInfo'] -and $e.OriginInfo) { $e.OriginInfo.PSComputerName }
        elseif ($e.TargetObject -and $e.TargetObject.PSObject.Properties['ConnectionInfo']) { $e.TargetObject.ConnectionInfo.ComputerName }
        else { "$($e.TargetObject)" }
        $broken.Add("${where}: $($e.Exception.Message)")
    }
    # The same host given twice is two entries of the fleet; the second one's files get a -2.
    $seen = @{}
    foreach ($r in ($back | Sort-Object PSComputerName)) {
        $label = $r.PSComputerName
        $seen[$label] = 1 + $(if ($seen.ContainsKey($label)) { $seen[$label] } else { 0 })
        if ($seen[$label] -gt 1) { $label = "$label-$($seen[$label])" }
        $arrived.Add(@{ Role = 'remote'; Label = $label; Received = $r; Sent = $r.Json })
    }
}

Write-Host "== Fleet audit of $($fleet.Count + $arrived.Count) hosts: every critical process must survive the first $Kills OOM kill(s)"
Write-Host "   reports in $OutputDirectory"

foreach ($h in $fleet) {
    # On the host: the machine, as Invoke-Command would serialize it for the trip back.
    $onHost = & $h.Build
    $wire = [System.Management.Automation.PSSerializer]::Serialize($onHost)
    # Here: what came back is a property bag, as from Invoke-Command.
    $arrived.Add(@{ Role = $h.Role; Label = $null; Received = [System.Management.Automation.PSSerializer]::Deserialize($wire); Sent = $onHost.Json })
}

foreach ($h in $arrived) {
    # Import-OomMachine rebuilds the machine from the Json the property bag carries.
    $machine = $h.Received | Import-OomMachine
    $sent = $h.Sent
    $name = if ($h.Label) { $h.Label } else { $machine.Name }
    if ((Export-OomMachine -Machine $machine) -cne $sent) {
        $broken.Add("${name}: the machine did not come back as it left")
        continue
    }

    $names = $critical[$h.Role]
    $reports = @(Test-OomProtection -Machine $machine -Name $names -Kills $Kills -ErrorAction SilentlyContinue -ErrorVariable missing)
    foreach ($r in $reports) {
        $findings.Add([pscustomobject]@{
                Host = $name; Pid = $r.Pid; Name = $r.Name; OomScoreAdj = $r.OomScoreAdj; Rank = $r.Rank
                KilledAt = $r.KillPosition; Protected = $r.Protected; MaxSafeOomScoreAdj = $r.MaxSafeOomScoreAdj
            })
    }
    foreach ($e in $missing) {
        $findings.Add([pscustomobject]@{
                Host = $name; Pid = $null; Name = "$($e.TargetObject)"; OomScoreAdj = $null; Rank = $null
                KilledAt = $null; Protected = $false; MaxSafeOomScoreAdj = $null
            })
    }

    $safeName = $name -replace '[^A-Za-z0-9._-]', '_'
    $report = Export-OomAuditReport -Machine $machine -LiteralPath (Join-Path $OutputDirectory "$safeName.html") -Title "OOM audit: $name ($($h.Role))" `
        -Critical $names -Kills $Kills -PassThru -ErrorAction SilentlyContinue
    Export-OomMachine -Machine $machine -LiteralPath (Join-Path $OutputDirectory "$safeName.json")
    if (-not $report -or $report.Length -eq 0) { $broken.Add("${name}: no report written") }
    else { Write-Host ("   {0,-12} {1,4} processes  {2}" -f $name, $machine.Tasks.Count, $report.FullName) }
}

$hostCount = $arrived.Count
$findings | Sort-Object Host, Pid | Format-Table Host, Pid, Name, OomScoreAdj, Rank, KilledAt, Protected, MaxSafeOomScoreAdj -AutoSize | Out-Host

if ($broken.Count -gt 0) {
    $broken | ForEach-Object { Write-Host "FAILED: $_" }
    exit 2
}
$unprotected = @($findings | Where-Object { -not $_.Protected })
if ($unprotected.Count -gt 0) {
    $unprotected | ForEach-Object { Write-Host ("NOT PROTECTED: {0} {1} ({2})" -f $_.Host, $_.Name, $(if ($null -eq $_.Pid) { 'missing' } else { "dies at kill $($_.KilledAt)" })) }
    exit 1
}
Write-Host "== All $($findings.Count) critical processes on $hostCount hosts survive the first $Kills kill(s)."
exit 0
