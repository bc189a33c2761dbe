#Requires -Version 7.2
<#
.SYNOPSIS
    Builds and stages the module, measures the nine goals of issue 13 and prints one row per goal: goal, figure,
    ratio and verdict ("meets goal" / "MISSES goal"), each ratio against a baseline measured in this run.
.DESCRIPTION
    The rows (names for -Only), in the order of the issue's goal table:
    1. select  - OomKiller.SelectBadProcess over 1,000,000 tasks vs a plain loop over arrays of the same fields: the
                 C loop bench/baseline/select.c built here with `cc -O2` when there is a cc, the same loop in C#
                 always (its measured proxy); both on the same data, both must choose the engine's victim (goal <= 2x)
    2. whatif  - Invoke-OutOfMemory -WhatIf at 1,000,000 tasks vs the plain loop (<= 20x), bytes allocated a call
                 (<= 100 MB)
    3. badness - Get-OomBadness -Pid 2 at 1,000,000 tasks vs the plain loop (<= 5x)
    4. addtask - 100,000 piped objects into Add-OomTask vs an empty ForEach-Object over them (<= 2x the time)
    5. import  - Import-OomReport on 100 MB of real OOM reports (no other lines) vs bench/parse_oom_reports.py, a
                 simple Python regex parser; both must count the same reports (>= 3x faster)
    6. json    - export + import of a 1,000,000-task machine file vs building the machine, in its own process
                 (works, <= 10x, peak working set <= 1 GiB)
    7. storm   - 1,000 OOM kills (Invoke-OutOfMemory, then Remove-OomTask of the killed) on 100,000 tasks vs 1,000
                 plain-loop scans each taking its victim out; every victim checked (<= 20x)
    8. memory  - engine bytes a task at 1,000,000 tasks, 5% multi-threaded (<= 120)
    9. fleet   - 1,000 machines of 1,000 processes, Test-OomProtection -Pid through ForEach-Object -Parallel
                 (ThrottleLimit = core count, the fleet handed over in 4 x ThrottleLimit batches) vs the same audits
                 one after another, median of 5 each, the same reports both ways (>= 1.6x faster on 2 cores); the
                 processor-time ratio and the one-item-a-machine form are printed with it
                 (bench/Measure-Fleet.ps1; its -ByName switch runs the -Name audits of Add-OomTask templates)
    Context rows, with their own goals (not in -Quick unless named in -Only): journal (Import-OomReport on a 100 MB
    journal of 1,000 reports among unrelated lines), snapshot (Get-OomSnapshot on a saved /proc tree), crafted
    (crafted 10 MB lines).
    Figures, never pass/fail: the exit code is 0 whatever the figures, 1 when a measurement could not be made, 3
    when a baseline and the figure disagree on the result (a victim, a count: printed in capitals).
    Run from anywhere as: dotnet tool restore; dotnet pwsh ./bench/Invoke-Bench.ps1
    The machine should be otherwise idle; the machine line says how loaded it was.
.EXAMPLE
    dotnet pwsh ./bench/Invoke-Bench.ps1 -NoBuild -Only select, memory
.EXAMPLE
    dotnet pwsh ./bench/Invoke-Bench.ps1 -Quick     # small sizes, one run each: a smoke test of every row
#>
[CmdletBinding()]
param(
    # Rows to measure (default: all, the context rows too; with -Quick the nine goal rows).
    [ValidateSet('select', 'whatif', 'badness', 'addtask', 'import', 'json', 'storm', 'memory', 'fleet', 'journal', 'snapshot', 'crafted')]
    [string[]]$Only,
    # Small sizes and one run each: a smoke test, not a measurement.
    [switch]$Quick,
    # Tasks for select, whatif, badness, json and memory.
    [int]$Tasks = 1000000,
    # Tasks and kills of the storm.
    [int]$StormTasks = 100000,
    [int]$Kills = 1000,
    # Objects piped into Add-OomTask.
    [int]$PipedObjects = 100000,
    # Size of the reports file (import), in MB (1,000,000 bytes).
    [int]$ReportsMB = 100,
    # The fleet: machines and processes a machine.
    [int]$FleetMachines = 1000,
    [int]$FleetProcesses = 1000,
    # Size of the journal of the context row journal, in MB, and the OOM events in it.
    [int]$JournalMB = 100,
    [int]$JournalEvents = 1000,
    # Processes in the saved /proc tree Get-OomSnapshot reads (context row snapshot).
    [int]$SnapshotProcesses = 5000,
    # Timed runs per measurement (the median is reported); 0: each measurement's own default.
    [int]$Runs = 0,
    # Skip `build.ps1 Build` (use the module already staged in out/OomTools); the bench project is always built.
    [switch]$NoBuild
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$PSNativeCommandUseErrorActionPreference = $false
$env:DOTNET_NOLOGO = '1'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'

$goalRows = 'select', 'whatif', 'badness', 'addtask', 'import', 'json', 'storm', 'memory', 'fleet'
$contextRows = 'journal', 'snapshot', 'crafted'
if ($Quick) {
    # Sizes no one would read a figure from: each row runs end to end in seconds.
    $small = @{ Tasks = 20000; StormTasks = 5000; Kills = 50; PipedObjects = 2000; ReportsMB = 1; FleetMachines = 20; FleetProcesses = 200
                JournalMB = 2; JournalEvents = 20; SnapshotProcesses = 200; Runs = 1 }
    foreach ($k in $small.Keys) { if (-not $PSBoundParameters.ContainsKey($k)) { Set-Variable -Name $k -Value $small[$k] } }
}
if (-not $Only) { $Only = if ($Quick) { $goalRows } else { $goalRows + $contextRows } }
function Test-Row([string]$name) { $name -in $Only }

$root = Split-Path $PSScriptRoot -Parent
$modulePath = Join-Path $root 'out/OomTools/OomTools.psd1'
$benchDll = Join-Path $root 'bench/OomTools.Bench/bin/Release/net10.0/OomTools.Bench.dll'
$runArgs = if ($Runs -gt 0) { @('-Runs', $Runs) } else { @() }

# Runs a child and returns its output lines (shown as they come).
function Invoke-Child([string]$title, [string]$exe, [string[]]$arguments) {
    Write-Host "==> $title"
    $out = @(& $exe @arguments 2>&1 | ForEach-Object { "$_" } | Tee-Object -Variable tee | Out-Host; $tee)
    [pscustomobject]@{ Title = $title; Exit = $LASTEXITCODE; Lines = $out }
}
function Invoke-Pwsh([string]$title, [string]$script, [string[]]$arguments) {
    Invoke-Child $title 'dotnet' (@('pwsh', '-NoProfile', '-NonInteractive', '-File', (Join-Path $root "bench/$script"), '-ModulePath', $modulePath) + $arguments)
}

# The machine line: core count, CPU model, load; printed with the figures, since a loaded machine moves them.
function Get-MachineLine {
    $model = (Get-Content -LiteralPath /proc/cpuinfo -ErrorAction Ignore | Where-Object { $_ -match '^model name\s*:\s*(.+)$' } | Select-Object -First 1) -replace '^model name\s*:\s*', ''
    $load = (Get-Content -LiteralPath /proc/loadavg -ErrorAction Ignore) -split ' ' | Select-Object -First 3
    "machine: $([Environment]::ProcessorCount) cores (nproc), $(if ($model) { $model } else { 'CPU model unknown' }), load average $($load -join ' '), $(Get-Date -AsUTC -Format 'yyyy-MM-dd HH:mm') UTC, commit $(git -C $root rev-parse --short HEAD 2>$null)"
}

Push-Location $root
try {
    $startLine = Get-MachineLine
    Write-Host "==> $startLine"
    if (-not $NoBuild) {
        Write-Host '==> dotnet tool restore; build.ps1 Build'
        dotnet tool restore | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "dotnet tool restore failed (exit code $LASTEXITCODE)." }
        dotnet pwsh -NoProfile -NonInteractive -File ./build.ps1 Build | Out-Host
        if ($LASTEXITCODE -ne 0) { throw "build.ps1 Build failed (exit code $LASTEXITCODE)." }
    }
    Write-Host '==> dotnet build bench/OomTools.Bench (Release)'
    dotnet build bench/OomTools.Bench -c Release -nologo -v q | Out-Host
    if ($LASTEXITCODE -ne 0) { throw "bench/OomTools.Bench does not build (exit code $LASTEXITCODE)." }

    $results = [Collections.Generic.List[object]]::new()

    if ((Test-Row 'select') -or (Test-Row 'memory')) {
        $engineArgs = @($benchDll, '--tasks', $Tasks)
        if ($Runs -gt 0) { $engineArgs += @('--runs', [Math]::Max($Runs, 3)) }
        if (-not ((Test-Row 'select') -and (Test-Row 'memory'))) { $engineArgs += @('--only', $(if (Test-Row 'select') { 'select' } else { 'memory' })) }
        if (Test-Row 'select') {
            # The C baseline, built with the distribution's C compiler when there is one.
            $cc = Get-Command cc -CommandType Application -ErrorAction Ignore | Select-Object -First 1
            if ($cc) {
                $cExe = Join-Path $root 'out/bench/select'
                $null = New-Item -ItemType Directory -Path (Split-Path $cExe) -Force
                Write-Host "==> $($cc.Source) -O2 -o out/bench/select bench/baseline/select.c"
                & $cc.Source -O2 -o $cExe bench/baseline/select.c | Out-Host
                if ($LASTEXITCODE -eq 0) { $engineArgs += @('--c-baseline', $cExe) }
                else { Write-Host "# select: cc failed (exit code $LASTEXITCODE): the C# loop is the baseline" }
            } else {
                Write-Host '# select: no C compiler (cc): the C# loop is the baseline'
            }
        }
        $results.Add((Invoke-Child "engine: select and memory, $($Tasks.ToString('N0')) tasks (bench/OomTools.Bench)" 'dotnet' $engineArgs))
    }
    if (Test-Row 'json') {
        $results.Add((Invoke-Child "engine: machine file export + import, $($Tasks.ToString('N0')) tasks (--only json, its own process for its peak)" 'dotnet' @($benchDll, '--only', 'json', '--tasks', $Tasks)))
    }
    $scale = @($Only | Where-Object { $_ -in 'whatif', 'badness', 'storm' })
    if ($scale) {
        $results.Add((Invoke-Pwsh "cmdlets at scale: $($scale -join ', ') (child pwsh)" 'Measure-Scale.ps1' (@('-BenchDll', $benchDll, '-Only', ($scale -join ','), '-Tasks', $Tasks, '-StormTasks', $StormTasks, '-Kills', $Kills) + $runArgs)))
    }
    if (Test-Row 'addtask') {
        $results.Add((Invoke-Pwsh "Add-OomTask: $($PipedObjects.ToString('N0')) piped objects (child pwsh)" 'Measure-AddOomTask.ps1' (@('-Count', $PipedObjects) + $runArgs)))
    }
    if (Test-Row 'import') {
        $results.Add((Invoke-Pwsh "Import-OomReport: $ReportsMB MB of OOM reports against the Python parser (child pwsh)" 'Measure-ImportOomReport.ps1' (@('-NoFiller', '-JournalMB', $ReportsMB) + $runArgs)))
    }
    if (Test-Row 'fleet') {
        $results.Add((Invoke-Pwsh "fleet: $FleetMachines machines of $FleetProcesses processes, Test-OomProtection -Pid, one after another and -Parallel (child pwsh)" 'Measure-Fleet.ps1' (@('-BenchDll', $benchDll, '-Machines', $FleetMachines, '-Processes', $FleetProcesses) + $runArgs + @(if ($Quick) { '-WarmUpCalls', 0 }))))
    }
    if (Test-Row 'journal') {
        $results.Add((Invoke-Pwsh "Import-OomReport: $JournalMB MB journal, $JournalEvents OOM events among unrelated lines (child pwsh)" 'Measure-ImportOomReport.ps1' (@('-JournalMB', $JournalMB, '-Events', $JournalEvents) + $runArgs)))
    }
    if (Test-Row 'snapshot') {
        $results.Add((Invoke-Pwsh "Get-OomSnapshot: saved /proc tree of $SnapshotProcesses processes, and this host (child pwsh)" 'Measure-GetOomSnapshot.ps1' (@('-Processes', $SnapshotProcesses) + $runArgs)))
    }
    if (Test-Row 'crafted') {
        $results.Add((Invoke-Pwsh 'Import-OomReport: crafted 10 MB lines (child pwsh)' 'Measure-CraftedLines.ps1' $runArgs))
    }

    # Each row's line, by the pattern it starts with; a row with no line says so and which child to read.
    $patterns = [ordered]@{
        select = '^select '; whatif = '^whatif '; badness = '^badness '; addtask = '^addtask '; import = '^import Import-OomReport'
        json = '^json '; storm = '^storm '; memory = '^memory '; fleet = '^fleet '
        journal = '^import \d[\d,]* MB journal'; snapshot = '^snapshot '; 'snapshot (host)' = '^Get-OomSnapshot on this host'; crafted = '^crafted lines '
    }
    $failures = 0
    $mismatch = $false
    $summary = foreach ($name in $patterns.Keys) {
        if (($name -replace ' \(host\)$', '') -notin $Only) { continue }
        $hit = $null
        foreach ($r in $results) {
            $line = @($r.Lines | Where-Object { $_ -match $patterns[$name] }) | Select-Object -Last 1
            if ($line) { $hit = $line; break }
        }
        if (-not $hit) {
            $failures++
            $hit = "${name}: no figure (the measurement failed: see its output above) — NO FIGURE"
        }
        if ($hit -match 'MISMATCH|MACHINE CHANGED') { $mismatch = $true }
        $number = [array]::IndexOf($goalRows, $name) + 1
        if ($number -gt 0) { "[$number] $hit" } else { "[context] $hit" }
    }

    Write-Host ''
    Write-Host '==> OomTools benchmarks, issue 13 goals (figures measured in this run, not pass/fail)'
    Write-Host "==> at the start: $startLine"
    Write-Host "==> at the end:   $(Get-MachineLine)"
    if ($Quick) { Write-Host '==> -Quick: small sizes, one run each: a smoke test, the figures mean nothing' }
    $summary | ForEach-Object { Write-Host $_ }
    $met = @($summary | Where-Object { $_ -match '^\[\d\].* — meets goal$' }).Count
    $rows = @($summary | Where-Object { $_ -match '^\[\d\]' }).Count
    Write-Host "==> $met of $rows goals met"

    if ($mismatch) { exit 3 }
    exit ([int]($failures -gt 0))
} finally {
    Pop-Location
}
