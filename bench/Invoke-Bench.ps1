#Requires -Version 7.2
<#
.SYNOPSIS
    Builds and stages the module, runs the six OomTools benchmarks and prints one line per goal.
.DESCRIPTION
    1. select  - OomKiller.SelectBadProcess over 1,000,000 tasks vs a plain loop over parallel arrays (goal <= 2x)
    2. Add-OomTask - 100,000 pre-built objects piped into Add-OomTask, in a child pwsh (goal <= 2x an empty ForEach-Object)
    3. memory  - engine bytes per task over 1,000,000 tasks (goal <= 300 bytes/task)
    4. import  - Import-OomReport on a 100 MB journal holding 1,000 real OOM reports, in a child pwsh
                 (goal >= 50 MB/s); the engine parser alone and its pieces for context
    5. snapshot - Get-OomSnapshot on a saved /proc tree of 5,000 processes, per process against Get-Process on
                 this host, in a child pwsh (goal: 5,000 processes well under 1 s); Get-OomSnapshot on this host
    6. crafted - Import-OomReport on files holding one crafted 10 MB line each (the shapes of issue 10), in a child
                 pwsh (goal: each under 1 s)
    Figures and ratios measured in this run, never pass/fail: the exit code is 0 whatever the figures, 1 when a
    measurement could not be made, 3 when the engine and the plain loop chose different victims.
    Run from anywhere as: dotnet tool restore; dotnet pwsh ./bench/Invoke-Bench.ps1
    The machine should be otherwise idle: the scans are memory-bandwidth bound and a parallel build or test run
    moves the figures by 50% or more.
#>
[CmdletBinding()]
param(
    # Tasks for the selection and memory measurements.
    [int]$Tasks = 1000000,
    # Objects piped into Add-OomTask.
    [int]$PipedObjects = 100000,
    # Size of the journal Import-OomReport reads, in MB (1,000,000 bytes), and the OOM events in it.
    [int]$JournalMB = 100,
    [int]$JournalEvents = 1000,
    # Processes in the saved /proc tree Get-OomSnapshot reads.
    [int]$SnapshotProcesses = 5000,
    # Timed runs per measurement (the median is reported).
    [int]$Runs = 0,
    # Skip `build.ps1 Build` (use the module already staged in out/OomTools).
    [switch]$NoBuild
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$PSNativeCommandUseErrorActionPreference = $false
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'

$root = Split-Path $PSScriptRoot -Parent
Push-Location $root
try {
    $failures = 0
    if (-not $NoBuild) {
        Write-Host '==> dotnet tool restore; build.ps1 Build'
        dotnet tool restore | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "dotnet tool restore failed (exit code $LASTEXITCODE)." }
        dotnet pwsh -NoProfile -NonInteractive -File ./build.ps1 Build | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "build.ps1 Build failed (exit code $LASTEXITCODE)." }
    }

    Write-Host "==> engine: select and memory, $($Tasks.ToString('N0')) tasks (bench/OomTools.Bench)"
    $engineArgs = @('--tasks', $Tasks)
    if ($Runs -gt 0) { $engineArgs += @('--runs', $Runs) }
    $engineOut = @(dotnet run -c Release --project bench/OomTools.Bench -- @engineArgs 2>&1 | ForEach-Object { "$_" } | Tee-Object -Variable tee | Out-Host; $tee)
    $engineExit = $LASTEXITCODE

    Write-Host "==> engine: machine file export + import, $($Tasks.ToString('N0')) tasks (bench/OomTools.Bench --only json, its own process for its peak)"
    $jsonOut = @(dotnet run -c Release --project bench/OomTools.Bench -- --only json --tasks $Tasks 2>&1 | ForEach-Object { "$_" } | Tee-Object -Variable tee | Out-Host; $tee)
    $jsonExit = $LASTEXITCODE

    Write-Host "==> Add-OomTask: $($PipedObjects.ToString('N0')) piped objects (child pwsh)"
    $psArgs = @('-NoProfile', '-NonInteractive', '-File', 'bench/Measure-AddOomTask.ps1', '-ModulePath', (Join-Path $root 'out/OomTools/OomTools.psd1'), '-Count', $PipedObjects)
    if ($Runs -gt 0) { $psArgs += @('-Runs', $Runs) }
    $psOut = @(dotnet pwsh @psArgs 2>&1 | ForEach-Object { "$_" } | Tee-Object -Variable tee | Out-Host; $tee)
    $psExit = $LASTEXITCODE

    Write-Host "==> Import-OomReport: $JournalMB MB journal, $($JournalEvents.ToString('N0')) OOM events (child pwsh)"
    $importArgs = @('-NoProfile', '-NonInteractive', '-File', 'bench/Measure-ImportOomReport.ps1', '-ModulePath', (Join-Path $root 'out/OomTools/OomTools.psd1'),
                    '-JournalMB', $JournalMB, '-Events', $JournalEvents)
    if ($Runs -gt 0) { $importArgs += @('-Runs', $Runs) }
    $importOut = @(dotnet pwsh @importArgs 2>&1 | ForEach-Object { "$_" } | Tee-Object -Variable tee | Out-Host; $tee)
    $importExit = $LASTEXITCODE

    Write-Host "==> Get-OomSnapshot: saved /proc tree of $($SnapshotProcesses.ToString('N0')) processes, and this host (child pwsh)"
    $snapArgs = @('-NoProfile', '-NonInteractive', '-File', 'bench/Measure-GetOomSnapshot.ps1', '-ModulePath', (Join-Path $root 'out/OomTools/OomTools.psd1'),
                  '-Processes', $SnapshotProcesses)
    if ($Runs -gt 0) { $snapArgs += @('-Runs', $Runs) }
    $snapOut = @(dotnet pwsh @snapArgs 2>&1 | ForEach-Object { "$_" } | Tee-Object -Variable tee | Out-Host; $tee)
    $snapExit = $LASTEXITCODE

    Write-Host "==> Import-OomReport: crafted 10 MB lines (child pwsh)"
    $craftArgs = @('-NoProfile', '-NonInteractive', '-File', 'bench/Measure-CraftedLines.ps1', '-ModulePath', (Join-Path $root 'out/OomTools/OomTools.psd1'))
    if ($Runs -gt 0) { $craftArgs += @('-Runs', $Runs) }
    $craftOut = @(dotnet pwsh @craftArgs 2>&1 | ForEach-Object { "$_" } | Tee-Object -Variable tee | Out-Host; $tee)
    $craftExit = $LASTEXITCODE

    function Find-Figure([string[]]$lines, [string]$prefix, [string]$what, [int]$exitCode) {
        $hit = @($lines | Where-Object { $_ -like "$prefix*" }) | Select-Object -Last 1
        if ($hit) { return $hit }
        $script:failures++
        return "$what`: no figure (the measurement exited $exitCode; see its output above)"
    }

    $summary = @(
        Find-Figure $engineOut 'select ' 'select' $engineExit
        Find-Figure $psOut 'Add-OomTask ' 'Add-OomTask' $psExit
        Find-Figure $engineOut 'memory ' 'memory' $engineExit
        Find-Figure $importOut 'import ' 'import' $importExit
        Find-Figure $snapOut 'snapshot ' 'snapshot' $snapExit
        Find-Figure $snapOut 'Get-OomSnapshot on this host' 'Get-OomSnapshot on this host' $snapExit
        Find-Figure $jsonOut 'json ' 'json' $jsonExit
        Find-Figure $craftOut 'crafted lines ' 'crafted' $craftExit
    )
    Write-Host ''
    Write-Host '==> OomTools benchmarks (figures, not pass/fail)'
    $summary | ForEach-Object { Write-Host $_ }

    if ($engineExit -eq 3) { exit 3 }     # victim mismatch, already shouted about above
    exit ([int]($failures -gt 0))
} finally {
    Pop-Location
}
