#Requires -Version 7.2
<#
.SYNOPSIS
    Measures a fleet audit: -Machines machines of -Processes processes each, audited with Test-OomProtection through
    `ForEach-Object -Parallel` against the same audits one after another (issue 13, row 9).
.DESCRIPTION
    Run by Invoke-Bench.ps1 (or alone) in a fresh `dotnet pwsh -NoProfile`. Not timed, the fleet:
      by default (row 9) - each machine the bench's seeded process mix (OomTools.Bench.dll, TaskMix, a seed per
                   machine), audited with -Pid <its second process with an mm of its own> (the first is init);
      -ByName    - eight seeded templates built with Add-OomTask (init, one `postgres` with a large rss, the rest
                   spread over five orders of magnitude, about one in seven at a non-zero oom_score_adj), the fleet
                   copies of them under their own names, audited with -Name postgres.
    Timed, after an untimed warm-up of each way on a few machines (JIT, the parallel runspaces and their module
    load) and then 40 to 80 calls of each way on 16 machines, until .NET stops compiling the code PowerShell runs
    once a -Parallel call (each call opens runspaces of its own), -Runs times each, rotating which goes first, a
    full collection before each; each run prints how many methods were compiled during it:
      one after another - $fleet | ForEach-Object { Test-OomProtection -Machine $_.Machine -Pid $_.Pid }
      parallel          - the fleet dealt round-robin into -Batches batches (4 x -ThrottleLimit by default), and
                          $batches | ForEach-Object -Parallel { $_ | ForEach-Object { Test-OomProtection ... } }
                          -ThrottleLimit <-ThrottleLimit>: each runspace runs the same audits, one after another.
      per machine       - (context, not the row's figure) $fleet | ForEach-Object -Parallel { Test-OomProtection ... }:
                          one parallel item per machine.
    Why the row hands -Parallel batches: ForEach-Object -Parallel costs about 1.7 ms of processor time and 315 KB of
    allocation an item of its own here (a PowerShell instance per item, its runspace reset), measured with a block
    that only reads a property, and an audit of 1,000 processes costs about 5 ms: one item a machine bounds the
    speedup on 2 cores near 2 x 5 / (5 + 1.7 + the cmdlet's own start in a reset runspace), about 1.3x, whatever the
    engine does. With batches that cost is paid 8 times instead of 1,000, and the figure measures what the module
    decides: whether audits of different machines on different threads scale. The per-machine form is still timed
    and printed, so a reader sees both.
    The runspaces find the module by name through PSModulePath (its folder is put first), as a runbook's would.
    Both must give the same reports (Service, Pid, Rank, Points, kill position, protected, safe adj, compared
    sorted: -Parallel does not keep the order); a loud line says when not.
    The figure is the ratio of the wall-time medians. It prints, per run and as medians, the processor time of this
    process for each way too, and the processor time of ForEach-Object -Parallel itself (the same items through a
    block that only reads a property, against the same through ForEach-Object): on a machine that others keep busy,
    two threads of one process get more of the cores than one, and less when the others take them, so the wall
    ratio moves with their load; the processor-time ratio times the cores is the better guess of an idle machine's
    figure. The load average before and after is printed with the figure.
    Goal: parallel at least 1.6x faster on 2 cores.
#>
[CmdletBinding()]
param(
    [string]$ModulePath = (Join-Path $PSScriptRoot '../out/OomTools/OomTools.psd1'),
    [string]$BenchDll = (Join-Path $PSScriptRoot 'OomTools.Bench/bin/Release/net10.0/OomTools.Bench.dll'),
    [int]$Machines = 1000,
    [int]$Processes = 1000,
    [int]$Runs = 5,
    [int]$Seed = 20240611,
    [int]$ThrottleLimit = [Environment]::ProcessorCount,
    # The parallel way's batches (0: 4 x ThrottleLimit, so a slow batch does not leave a core idle at the end).
    [int]$Batches = 0,
    # The settling warm-up's least number of calls of each way (it goes on to twice as many while .NET still compiles);
    # 0 skips it (Invoke-Bench.ps1 -Quick, whose figures mean nothing).
    [int]$WarmUpCalls = 40,
    # Skip the per-machine parallel form (context only).
    [switch]$NoPerMachine,
    # The companion's audits: -Name postgres on copies of eight templates built with Add-OomTask.
    [switch]$ByName
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
. (Join-Path $PSScriptRoot 'Common.ps1')

$ModulePath = (Resolve-Path $ModulePath).Path
# The parallel runspaces load the module by name, as a fleet runbook's would from its module path.
$env:PSModulePath = (Split-Path (Split-Path $ModulePath)) + [IO.Path]::PathSeparator + $env:PSModulePath
Import-Module $ModulePath -Force
$GoalSpeedup = 1.6
$cores = [Environment]::ProcessorCount
$useCores = [Math]::Min($cores, $ThrottleLimit)

function Get-Load { ((Get-Content -LiteralPath /proc/loadavg -ErrorAction Ignore) -split ' ' | Select-Object -First 3) -join ' ' }
$self = [Diagnostics.Process]::GetCurrentProcess()
function Get-Cpu { $self.Refresh(); $self.TotalProcessorTime.TotalSeconds }

$gc = if ([Runtime.GCSettings]::IsServerGC) { 'server' } else { 'workstation' }
Write-Host "# fleet: PowerShell $($PSVersionTable.PSVersion), .NET $([Environment]::Version), $cores cores, $gc GC (the runtime's defaults), load average $(Get-Load)"

$build = [Diagnostics.Stopwatch]::StartNew()
if ($ByName) {
    $names = 'bash', 'sshd', 'java', 'chrome', 'nginx', 'python3', 'node', 'containerd-shim', 'dockerd', 'redis-server',
             'php-fpm', 'rsyslogd', 'cron', 'Web Content', 'gunicorn'
    function New-Template([int]$seed) {
        $rng = [Random]::new($seed)
        $critical = 2 + $rng.Next($Processes - 2)
        $objs = foreach ($p in 1..$Processes) {
            $name = if ($p -eq 1) { 'systemd' } elseif ($p -eq $critical) { 'postgres' } else { $names[$rng.Next($names.Count)] }
            $pages = if ($p -eq $critical) { 400000 + $rng.Next(400000) } else { [long][Math]::Pow(10, 1 + 4 * $rng.NextDouble()) }
            $adj = switch ($rng.Next(14)) { 0 { 500 } 1 { -500 } default { 0 } }
            [pscustomobject]@{ Pid = $p; Name = $name; AnonPages = $pages; OomScoreAdj = $adj }
        }
        $m = New-OomMachine -Name "template$seed" -Memory 64GB -Swap 8GB
        $objs | Add-OomTask -Machine $m
        $m
    }
    $templates = foreach ($s in 1..8) { New-Template $s }
    $fleet = foreach ($i in 1..$Machines) {
        $copy = $templates[$i % $templates.Count].Clone()
        $copy.Name = "host$i"
        [pscustomobject]@{ Machine = $copy; Pid = 0 }
    }
    $audit = 'Test-OomProtection -Name postgres'
    $sequential = { param($items) $items | ForEach-Object { Test-OomProtection -Machine $_.Machine -Name postgres } }
    $perMachine = { param($items) $items | ForEach-Object -ThrottleLimit $ThrottleLimit -Parallel { Test-OomProtection -Machine $_.Machine -Name postgres } }
    $parallel = { param($batches) $batches | ForEach-Object -ThrottleLimit $ThrottleLimit -Parallel { $_ | ForEach-Object { Test-OomProtection -Machine $_.Machine -Name postgres } } }
} else {
    Add-Type -Path $BenchDll
    # Each machine with the process audited on it: its second process with an mm of its own (the first is init).
    $fleet = foreach ($i in 0..($Machines - 1)) {
        $m = [OomTools.Bench.TaskMix]::Generate($Processes, $Seed + 100 + $i, $true).BuildMachine()
        $audited = 0
        for ($t = 1; $t -lt $m.Tasks.Count; $t++) { if ($null -ne $m.Tasks[$t].Mm) { $audited = $m.Tasks[$t].Pid; break } }
        [pscustomobject]@{ Machine = $m; Pid = $audited }
    }
    $audit = 'Test-OomProtection -Pid'
    $sequential = { param($items) $items | ForEach-Object { Test-OomProtection -Machine $_.Machine -Pid $_.Pid } }
    $perMachine = { param($items) $items | ForEach-Object -ThrottleLimit $ThrottleLimit -Parallel { Test-OomProtection -Machine $_.Machine -Pid $_.Pid } }
    $parallel = { param($batches) $batches | ForEach-Object -ThrottleLimit $ThrottleLimit -Parallel { $_ | ForEach-Object { Test-OomProtection -Machine $_.Machine -Pid $_.Pid } } }
}
$fleet = @($fleet)
# Dealt round-robin, so each batch gets machines of every seed range: no batch is all of the slow ones.
$batchCount = if ($Batches -gt 0) { $Batches } else { 4 * $ThrottleLimit }
$batchCount = [Math]::Max(1, [Math]::Min($batchCount, $fleet.Count))
function Split-Batch([object[]]$items) {
    foreach ($b in 0..($batchCount - 1)) { , @(for ($i = $b; $i -lt $items.Count; $i += $batchCount) { $items[$i] }) }
}
$fleetBatches = @(Split-Batch $fleet)
Write-Host ("# fleet: {0:N0} machines of {1:N0} processes built in {2:F1} s (not timed); {3}; ThrottleLimit {4}, {5} batches" -f $Machines, $Processes, $build.Elapsed.TotalSeconds, $audit, $ThrottleLimit, $batchCount)

# Warm-up, untimed: JIT and tiered compilation, the runspaces of the parallel pool and their module load.
# 150 audits: tiered compilation promotes the hot methods in the background after a delay, and a shorter warm-up left
# that work in the first timed run (its processor time read more than its wall time).
$few = @($fleet | Select-Object -First ([Math]::Min(150, $Machines)))
$null = & $sequential $few
$null = & $parallel @(Split-Batch $few)
if (-not $NoPerMachine) { $null = & $perMachine $few }
# Then both ways again on a handful of machines, 40 calls of each and on until the runtime stops compiling. Each
# -Parallel call opens its own runspaces and loads the module into them, code PowerShell runs once or twice a call,
# and .NET compiles a method to optimized code only after about 30 calls to it: through the first 30 or so -Parallel
# calls of a process, each call went on compiling (50 to 300 ms of a core, measured), and the timed runs were those
# calls. Tiered compilation works in the background, a little after the calls: a call's own count is not enough to
# tell, so the warm-up goes on until three calls in a row add fewer than 25 compiled methods, after the first
# -WarmUpCalls (40; twice as many at most).
$handful = @($fleet | Select-Object -First ([Math]::Min(16, $Machines)))
$handfulBatches = @(Split-Batch $handful)
$settleCalls = 0
$compiled = [Collections.Generic.Queue[long]]::new()
while (($settleCalls -lt $WarmUpCalls -or ($compiled | Measure-Object -Maximum).Maximum -ge 25) -and $settleCalls -lt 2 * $WarmUpCalls) {
    $m0 = [Runtime.JitInfo]::GetCompiledMethodCount($false)
    $null = & $sequential $handful
    $null = & $parallel $handfulBatches
    $settleCalls++
    $compiled.Enqueue([Runtime.JitInfo]::GetCompiledMethodCount($false) - $m0)
    if ($compiled.Count -gt 3) { $null = $compiled.Dequeue() }
}
# A -Parallel call compiles a few dynamic methods of its own however warm the process (PowerShell's code for the new
# runspaces' script blocks): the last three calls' counts say how settled the timed runs start.
if ($settleCalls -gt 0) {
    Write-Host ("# fleet: warm-up: {0} calls of each way on {1} machines; the last three compiled {2} methods" -f $settleCalls, $handful.Count, ($compiled -join ', '))
} else {
    Write-Host '# fleet: warm-up: no settling calls (-WarmUpCalls 0): the timed runs include compilation'
}

# ForEach-Object -Parallel itself: the same items through a block that only reads a property, both ways.
$emptySequential = { param($items) $items | ForEach-Object { $_.Pid } }
$emptyParallel = { param($items) $items | ForEach-Object -ThrottleLimit $ThrottleLimit -Parallel { $_.Pid } }
# Warmed on the whole fleet, untimed: a few hundred items in, the per-item cost is still falling (a cold first pass
# read twice the warm one).
$null = & $emptyParallel $fleet
$empty = @{}
foreach ($kind in 'sequential', 'parallel') {
    Invoke-Collect
    $c0 = Get-Cpu
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $null = if ($kind -eq 'sequential') { & $emptySequential $fleet } else { & $emptyParallel $fleet }
    $empty[$kind] = @{ Wall = $sw.Elapsed.TotalSeconds; Cpu = (Get-Cpu) - $c0 }
}

$loadBefore = Get-Load
$wall = @{}; $cpuTime = @{}
$kinds = @('sequential', 'parallel') + @(if (-not $NoPerMachine) { 'per machine' })
$jitted = @{}
foreach ($kind in $kinds) {
    $wall[$kind] = [Collections.Generic.List[double]]::new(); $cpuTime[$kind] = [Collections.Generic.List[double]]::new()
    $jitted[$kind] = [Collections.Generic.List[long]]::new()
}
$key = { '{0}|{1}|{2}|{3}|{4}|{5}|{6}' -f $_.Service, $_.Pid, $_.Rank, $_.Points, $_.KillPosition, $_.Protected, $_.MaxSafeOomScoreAdj }
$reference = $null
$void = $null
$gcNote = @{}
for ($r = 0; $r -lt $Runs; $r++) {
    # Rotate which goes first.
    $order = @(for ($k = 0; $k -lt $kinds.Count; $k++) { $kinds[($k + $r) % $kinds.Count] })
    foreach ($kind in $order) {
        Invoke-Collect
        $a0 = [GC]::GetTotalAllocatedBytes($true)
        $p0 = [GC]::GetTotalPauseDuration()
        $c0 = Get-Cpu
        $j0 = [Runtime.JitInfo]::GetCompiledMethodCount($false)
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $out = switch ($kind) {
            'sequential' { @(& $sequential $fleet) }
            'parallel' { @(& $parallel $fleetBatches) }
            default { @(& $perMachine $fleet) }
        }
        $wall[$kind].Add($sw.Elapsed.TotalSeconds)
        $cpuTime[$kind].Add((Get-Cpu) - $c0)
        $jitted[$kind].Add([Runtime.JitInfo]::GetCompiledMethodCount($false) - $j0)
        $gcNote[$kind] = '{0:F2} MB allocated and {1:F2} ms of GC pauses an audit' -f `
            (([GC]::GetTotalAllocatedBytes($true) - $a0) / 1MB / $Machines), (([GC]::GetTotalPauseDuration() - $p0).TotalMilliseconds / $Machines)
        $keys = @($out | ForEach-Object $key | Sort-Object) -join "`n"
        if ($out.Count -lt $Machines) {
            $void = 'RESULT MISMATCH'
            Write-Shout "RESULT MISMATCH: $kind run $($r + 1) gave $($out.Count) reports for $Machines machines"
        } elseif ($null -eq $reference) {
            $reference = $keys
        } elseif ($keys -ne $reference) {
            $void = 'RESULT MISMATCH'
            Write-Shout "RESULT MISMATCH: $kind run $($r + 1) gave other reports than the first run"
        }
    }
    Write-Host ("# fleet: run {0}: {1}, load average {2}" -f ($r + 1),
        (($kinds | ForEach-Object { '{0} {1:F2} s ({2:F2} s of processor time, {3} methods compiled)' -f $_, $wall[$_][$r], $cpuTime[$_][$r], $jitted[$_][$r] }) -join ', '), (Get-Load))
}
$loadAfter = Get-Load

$seq = Get-Median $wall.sequential
$par = Get-Median $wall.parallel
$speedup = $seq / $par
$cpuSeq = Get-Median $cpuTime.sequential
$cpuPar = Get-Median $cpuTime.parallel
$cpuRatio = $cpuSeq / $cpuPar
$perItem = 1000 / $Machines
Write-Host ("# fleet: an audit {0:F1} ms one after another, {1:F1} ms in parallel (wall); {2:F1} ms and {3:F1} ms of processor time" -f `
    ($seq * $perItem), ($par * $perItem), ($cpuSeq * $perItem), ($cpuPar * $perItem))
if (-not $NoPerMachine) {
    $one = Get-Median $wall['per machine']
    Write-Host ("# fleet: one -Parallel item a machine (context, not the row): {0:F2} s, {1:F2}x faster than one after another ({2:F1} ms of processor time an audit)" -f `
        $one, ($seq / $one), ((Get-Median $cpuTime['per machine']) * $perItem))
}
Write-Host ("# fleet: ForEach-Object alone (a block that reads one property, the same items): {0:F2} ms of processor time a machine one after another, {1:F2} ms through -Parallel (wall {2:F2} and {3:F2} ms)" -f `
    ($empty.sequential.Cpu * $perItem), ($empty.parallel.Cpu * $perItem), ($empty.sequential.Wall * $perItem), ($empty.parallel.Wall * $perItem))
Write-Host ("# fleet: processor time one after another / parallel {0:F2} (1.00: the parallel run does no extra work); times {1} cores: up to {2:F2}x faster on idle cores" -f `
    $cpuRatio, $useCores, ($cpuRatio * $useCores))
Write-Host "# fleet: last run one after another: $($gcNote.sequential); parallel: $($gcNote.parallel)"
Write-Host "# fleet: load average $loadBefore before the runs, $loadAfter after, on $cores cores"
Format-Row ("fleet {0:N0} machines of {1:N0} processes, {2}" -f $Machines, $Processes, $audit) `
    ("ForEach-Object -Parallel over {9} batches {0:F2} s, one after another {1:F2} s (medians of {2}, {3} cores, ThrottleLimit {4}, load average {5}), processor time ratio {6:F2}, x{7}: {8:F2}x on idle cores" -f `
        $par, $seq, $Runs, $cores, $ThrottleLimit, $loadAfter, $cpuRatio, $useCores, ($cpuRatio * $useCores), $batchCount) `
    ("{0:F2}x faster" -f $speedup) (">= {0:0.0}x faster on 2 cores" -f $GoalSpeedup) ($speedup -ge $GoalSpeedup) $void
