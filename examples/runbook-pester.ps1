#!/usr/bin/env pwsh
<#
.SYNOPSIS
    A runbook's gate in Pester: the database service survives the first two OOMs, batch jobs die before it.
.DESCRIPTION
    Builds the host (a postgres unit of several processes, a JVM, a batch job), gives the unit the
    OOMScoreAdjust= that Test-OomProtection finds, and checks it with the Pester operators OomTools registers
    when Pester 5 is loaded before it:
        $m | Should -SurviveOom -Cgroup /system.slice/postgresql.service -Count 2
        $m | Should -BeKilledBefore postgres -Name batch
    It also prints what a failing check says (the unit before the change), and exits with the number of
    failed tests, so a pipeline can gate a rollout on it.
    Pester 5 comes from the PowerShell module path or, as in this repository's tests, from the NuGet packages
    folder (dotnet restore tests/tools/TestTools.csproj puts it there).
#>
param(
    [int] $Kills = 2
)
$ErrorActionPreference = 'Stop'

# Pester first: importing OomTools registers its Should operators with the Pester already loaded.
$pester = Get-Module -ListAvailable Pester | Where-Object { $_.Version.Major -eq 5 } | Sort-Object Version -Descending |
    Select-Object -First 1 -ExpandProperty Path
if (-not $pester) {
    $packages = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { Join-Path ([Environment]::GetFolderPath('UserProfile')) '.nuget/packages' }
    $pester = Get-ChildItem -Path (Join-Path $packages 'pester/5.*/tools/Pester.psd1') -ErrorAction Ignore |
        Sort-Object { [version]$_.Directory.Parent.Name } -Descending | Select-Object -First 1 -ExpandProperty FullName
}
if (-not $pester) { throw 'Pester 5 is needed: Install-Module Pester, or dotnet restore tests/tools/TestTools.csproj.' }
Import-Module $pester -MinimumVersion 5.0 -Force
Import-Module (Join-Path $PSScriptRoot '../out/OomTools/OomTools.psd1') -Force

function New-DbHost {
    $m = New-OomMachine -Name db01 -Memory 16GB
    New-OomCgroup -Machine $m -Path /system.slice | Out-Null
    New-OomCgroup -Machine $m -Path /system.slice/postgresql.service | Out-Null
    Add-OomTask -Machine $m -Pid 1 -Name systemd -Rss 12MB
    # The postmaster and its backends: one service, five processes.
    Add-OomTask -Machine $m -Pid 4321 -Name postgres -AnonRss 2GB -Cgroup /system.slice/postgresql.service
    foreach ($p in 4322..4325) { Add-OomTask -Machine $m -Pid $p -Name postgres -AnonRss 100MB -Cgroup /system.slice/postgresql.service }
    Add-OomTask -Machine $m -Pid 1234 -Name java -AnonRss 3GB
    Add-OomTask -Machine $m -Pid 2000 -Name batch -AnonRss 1GB
    $m
}

$m = New-DbHost
$unit = '/system.slice/postgresql.service'

# What a failing check says: the unit as it is, before the change.
Write-Host "Before: does $unit survive $Kills OOMs?"
try { $m | Should -SurviveOom -Cgroup $unit -Count $Kills -Because 'the database must outlive a leak' }
catch { Write-Host "  $($_.Exception.Message)" }

# The change: OOMScoreAdjust= on the unit, the highest value that protects all its processes.
$report = Test-OomProtection -Machine $m -Cgroup $unit -Kills $Kills
Write-Host "Setting oom_score_adj $($report.MaxSafeOomScoreAdj) on the $($report.ProcessCount) processes of $unit"
Get-OomTask -Machine $m -Cgroup $unit | ForEach-Object {
    Set-OomScoreAdj -Machine $m -Pid $_.Pid -Value $report.MaxSafeOomScoreAdj -Privileged | Out-Null
}

# The gate.
$container = New-PesterContainer -Data @{ Machine = $m; Unit = $unit; Kills = $Kills } -ScriptBlock {
    param($Machine, $Unit, $Kills)
    Describe 'db01 under memory pressure' {
        It 'the postgres unit survives the first <Kills> OOMs' -TestCases @{ Kills = $Kills } {
            $Machine | Should -SurviveOom -Cgroup $Unit -Count $Kills
        }
        It 'batch is killed before postgres' {
            $Machine | Should -BeKilledBefore postgres -Name batch
        }
        It 'java is killed before postgres' {
            $Machine | Should -BeKilledBefore -Other postgres -Name java
        }
        It 'systemd is never killed' {
            $Machine | Should -SurviveOom -ProcessId 1 -Count 100
        }
    }
}
$config = New-PesterConfiguration
$config.Run.Container = $container
$config.Run.PassThru = $true
$config.Output.Verbosity = 'Detailed'
$result = Invoke-Pester -Configuration $config
exit $result.FailedCount
