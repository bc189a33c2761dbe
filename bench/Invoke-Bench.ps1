#Requires -Version 7.2
<#
.SYNOPSIS
    Builds and stages the module, runs the three OomTools benchmarks and prints one line per goal.
.DESCRIPTION
    1. select  - OomKiller.SelectBadProcess over 1,000,000 tasks vs a plain loop over parallel arrays (goal <= 2x)
    2. Add-OomTask - 100,000 pre-built objects piped into Add-OomTask, in a child pwsh (goal >= 50,000 tasks/s)
    3. memory  - engine bytes per task over 1,000,000 tasks (goal <= 300 bytes/task)
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

    Write-Host "==> Add-OomTask: $($PipedObjects.ToString('N0')) piped objects (child pwsh)"
    $psArgs = @('-NoProfile', '-NonInteractive', '-File', 'bench/Measure-AddOomTask.ps1', '-ModulePath', (Join-Path $root 'out/OomTools/OomTools.psd1'), '-Count', $PipedObjects)
    if ($Runs -gt 0) { $psArgs += @('-Runs', $Runs) }
    $psOut = @(dotnet pwsh @psArgs 2>&1 | ForEach-Object { "$_" } | Tee-Object -Variable tee | Out-Host; $tee)
    $psExit = $LASTEXITCODE

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
    )
    Write-Host ''
    Write-Host '==> OomTools benchmarks (figures, not pass/fail)'
    $summary | ForEach-Object { Write-Host $_ }

    if ($engineExit -eq 3) { exit 3 }     # victim mismatch, already shouted about above
    exit ([int]($failures -gt 0))
} finally {
    Pop-Location
}
