#Requires -Version 7.2
<#
.SYNOPSIS
    Measures the cmdlets at fleet scale against a plain loop over arrays of the same fields (issue 13, rows 2, 3, 7).
.DESCRIPTION
    Run by Invoke-Bench.ps1 in a fresh `dotnet pwsh -NoProfile`. The process table is the bench's own seeded mix
    (bench/OomTools.Bench, TaskMix: the selection mix, 5% multi-threaded), loaded from OomTools.Bench.dll, and the
    plain loop is its PlainTable (rss, swap, page-table bytes, adj as parallel arrays; the C# loop, which runs at
    about 1x of the C loop of row 1). Each row checks that both sides chose the same victim (or point count), and
    says so in capitals when not: the timing then means nothing.
      whatif  - `Invoke-OutOfMemory -Machine $m -WhatIf` at -Tasks, median of -Runs after a warm-up, against the
                plain loop (goal <= 20x), and the bytes allocated by the call (GC.GetTotalAllocatedBytes(true) around
                it; goal <= 100 MB, MB = 1,000,000 bytes)
      badness - `Get-OomBadness -Machine $m -Pid 2` at -Tasks against the plain loop (goal <= 5x)
      storm   - -Kills OOM kills on a machine of -StormTasks: `Invoke-OutOfMemory -Machine $m -Confirm:$false`, then
                `Remove-OomTask -Machine $m -InputObject $o.AllKilled` (the victim exits, so the next OOM goes on),
                once; against -Kills plain-loop scans, each taking its victim out (goal <= 20x); every victim checked
    Prints detail lines starting with '#' and one row line per measurement (Common.ps1, Format-Row).
    A figure, never a pass/fail: the exit code is 0 unless a measurement could not be made.
#>
[CmdletBinding()]
param(
    [string]$ModulePath = (Join-Path $PSScriptRoot '../out/OomTools/OomTools.psd1'),
    [string]$BenchDll = (Join-Path $PSScriptRoot 'OomTools.Bench/bin/Release/net10.0/OomTools.Bench.dll'),
    # Comma-separated: whatif, badness, storm.
    [string]$Only = 'whatif,badness,storm',
    [int]$Tasks = 1000000,
    [int]$StormTasks = 100000,
    [int]$Kills = 1000,
    [int]$Runs = 3,
    [int]$BadnessPid = 2,
    [int]$Seed = 20240611
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
. (Join-Path $PSScriptRoot 'Common.ps1')
$rows = @($Only -split "," | ForEach-Object Trim)

Import-Module $ModulePath -Force
# The bench's generator and plain loop; its OomTools.Engine reference binds to the module's, already loaded.
Add-Type -Path $BenchDll

$WhatIfGoalRatio = 20.0
$WhatIfGoalBytes = 100e6
$BadnessGoalRatio = 5.0
$StormGoalRatio = 20.0

Write-Host "# scale: PowerShell $($PSVersionTable.PSVersion), .NET $([Environment]::Version), $([Environment]::ProcessorCount) cpus"

# The plain loop's median over enough scans to be past the JIT: at least 1 s of warm-up, then 11 timed scans.
function Measure-Plain($plain, [long]$totalPages) {
    $points = 0L
    $warm = [Diagnostics.Stopwatch]::StartNew()
    while ($warm.ElapsedMilliseconds -lt 1000) { $null = $plain.Select($totalPages, [ref]$points) }
    $t = foreach ($i in 1..11) { Measure-Seconds { $plain.Select($totalPages, [ref]$points) } }
    Get-Median $t
}

if ('whatif' -in $rows -or 'badness' -in $rows) {
    $build = [Diagnostics.Stopwatch]::StartNew()
    $mix = [OomTools.Bench.TaskMix]::Generate($Tasks, $Seed, $true)
    $m = $mix.BuildMachine()
    $plain = [OomTools.Bench.PlainTable]::new($mix)
    $totalPages = [OomTools.Bench.TaskMix]::TotalPages($m)
    Write-Host ("# scale: machine of {0:N0} tasks ({1:N0} multi-threaded) built in {2:F1} s (not timed)" -f $Tasks, $mix.MultiThreaded, $build.Elapsed.TotalSeconds)
    $points = 0L
    $index = $plain.Select($totalPages, [ref]$points)
    $plainVictim = $m.Tasks[$index]
    $plainS = Measure-Plain $plain $totalPages
    Write-Host ("# scale: plain loop {0:F2} ms a scan, chose pid {1} ({2}) with {3:N0} points" -f ($plainS * 1000), $plainVictim.Pid, $plainVictim.Comm, $points)

    if ('whatif' -in $rows) {
        $o = Invoke-OutOfMemory -Machine $m -WhatIf 6> $null   # warm-up
        $seconds = [Collections.Generic.List[double]]::new()
        $bytes = [Collections.Generic.List[double]]::new()
        for ($r = 0; $r -lt $Runs; $r++) {
            Invoke-Collect
            $before = [GC]::GetTotalAllocatedBytes($true)
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $o = Invoke-OutOfMemory -Machine $m -WhatIf 6> $null
            $sw.Stop()
            $bytes.Add([GC]::GetTotalAllocatedBytes($true) - $before)
            $seconds.Add($sw.Elapsed.TotalSeconds)
        }
        $void = $null
        if ($null -eq $o.Victim -or $o.Victim.Pid -ne $plainVictim.Pid -or $o.VictimPoints -ne $points) {
            $void = 'VICTIM MISMATCH'
            Write-Shout "VICTIM MISMATCH: Invoke-OutOfMemory -WhatIf chose $($o.Victim) with $($o.VictimPoints) points, the plain loop pid $($plainVictim.Pid) with $points"
        }
        if ($m.Tasks.Count -ne $Tasks -or $m.OomVictims -ne 0) { $void = 'MACHINE CHANGED'; Write-Shout 'MACHINE CHANGED: -WhatIf changed the machine' }
        $median = Get-Median $seconds
        $alloc = Get-Median $bytes
        $ratio = $median / $plainS
        Write-Host ("# whatif: runs (s) {0}; allocated (MB) {1}" -f (Format-Runs $seconds), (Format-Runs ($bytes | ForEach-Object { $_ / 1e6 }) 'F1'))
        Format-Row ("whatif Invoke-OutOfMemory -WhatIf, {0:N0} tasks" -f $Tasks) `
            ("{0:F1} ms and {1:N1} MB allocated a call, against the plain loop {2:F2} ms" -f ($median * 1000), ($alloc / 1e6), ($plainS * 1000)) `
            ("{0:N1}x" -f $ratio) ("<= {0:0}x and <= {1:0} MB" -f $WhatIfGoalRatio, ($WhatIfGoalBytes / 1e6)) `
            ($ratio -le $WhatIfGoalRatio -and $alloc -le $WhatIfGoalBytes) $void
    }

    if ('badness' -in $rows) {
        $i = 0
        while ($i -lt $m.Tasks.Count -and $m.Tasks[$i].Pid -ne $BadnessPid) { $i++ }
        if ($i -ge $m.Tasks.Count) { throw "The machine has no pid $BadnessPid (-BadnessPid)." }
        $expected = $plain.Rss[$i] + $plain.Swap[$i] + [long][Math]::Truncate($plain.Pgtables[$i] / [OomTools.Bench.TaskMix]::PageSize) + $plain.Adj[$i] * [long][Math]::Truncate($totalPages / 1000)
        $row = @(Get-OomBadness -Machine $m -Pid $BadnessPid)   # warm-up
        $seconds = foreach ($r in 1..[Math]::Max($Runs, 5)) { Invoke-Collect; Measure-Seconds { $script:row = @(Get-OomBadness -Machine $m -Pid $BadnessPid) } }
        $void = $null
        if ($row.Count -ne 1 -or $row[0].Pid -ne $BadnessPid -or $row[0].Points -ne $expected) {
            $void = 'POINTS MISMATCH'
            Write-Shout "POINTS MISMATCH: Get-OomBadness -Pid $BadnessPid gave $($row.Count) rows ($(@($row | ForEach-Object Points) -join ', ') points), the plain formula $expected points"
        }
        $median = Get-Median $seconds
        $ratio = $median / $plainS
        Write-Host ("# badness: runs (s) {0}; pid {1} has {2:N0} points" -f (Format-Runs $seconds), $BadnessPid, $expected)
        Format-Row ("badness Get-OomBadness -Pid {0}, {1:N0} tasks" -f $BadnessPid, $Tasks) `
            ("{0:F1} ms, against the plain loop {1:F2} ms" -f ($median * 1000), ($plainS * 1000)) `
            ("{0:N1}x" -f $ratio) ("<= {0:0}x" -f $BadnessGoalRatio) ($ratio -le $BadnessGoalRatio) $void
    }
    $m = $null; $mix = $null; $plain = $null
    Invoke-Collect
}

if ('storm' -in $rows) {
    $mix = [OomTools.Bench.TaskMix]::Generate($StormTasks, $Seed + 3, $true)
    $m = $mix.BuildMachine()
    $plain = [OomTools.Bench.PlainTable]::new($mix)
    $totalPages = [OomTools.Bench.TaskMix]::TotalPages($m)
    $pids = @($m.Tasks | ForEach-Object Pid)
    # The baseline: -Kills scans, each taking its victim out; warm-up, then the median of -Runs storms.
    $victims = $plain.Storm($totalPages, $Kills)
    $plainRuns = foreach ($r in 1..[Math]::Max($Runs, 3)) { Measure-Seconds { $plain.Storm($totalPages, $Kills) } }
    $plainS = Get-Median $plainRuns
    Write-Host ("# storm: {0:N0} tasks, {1:N0} kills; plain loop storms (s) {2}" -f $StormTasks, $Kills, (Format-Runs $plainRuns))

    # The storm itself, once (it is -Kills OOMs long): a warm-up OOM on another machine first.
    $w = [OomTools.Bench.TaskMix]::Generate(1000, $Seed + 4, $true).BuildMachine()
    $o = Invoke-OutOfMemory -Machine $w -Confirm:$false; Remove-OomTask -Machine $w -InputObject $o.AllKilled
    Invoke-Collect
    $got = [Collections.Generic.List[int]]::new()
    $sw = [Diagnostics.Stopwatch]::StartNew()
    for ($k = 0; $k -lt $Kills; $k++) {
        $o = Invoke-OutOfMemory -Machine $m -Confirm:$false
        if ($null -eq $o.Victim) { break }
        $got.Add($o.Victim.Pid)
        Remove-OomTask -Machine $m -InputObject $o.AllKilled
    }
    $sw.Stop()
    $void = $null
    $first = -1
    for ($k = 0; $k -lt $Kills; $k++) {
        if ($k -ge $got.Count -or $victims[$k] -lt 0 -or $got[$k] -ne $pids[$victims[$k]]) { $first = $k; break }
    }
    if ($first -ge 0) {
        $void = 'VICTIM MISMATCH'
        $want = if ($victims[$first] -ge 0) { $pids[$victims[$first]] } else { 'nothing' }
        $have = if ($first -lt $got.Count) { $got[$first] } else { 'nothing' }
        Write-Shout "VICTIM MISMATCH: kill $($first + 1) of the storm took pid $have, the plain loop pid $want"
    }
    $stormS = $sw.Elapsed.TotalSeconds
    $ratio = $stormS / $plainS
    Write-Host ("# storm: {0:N0} kills in {1:F2} s ({2:F2} ms a kill); the kernel log holds {3:N0} entries" -f $got.Count, $stormS, ($stormS * 1000 / [Math]::Max(1, $got.Count)), $m.Log.Count)
    Format-Row ("storm {0:N0} OOM kills on {1:N0} tasks" -f $Kills, $StormTasks) `
        ("{0:F2} s, against {1:N0} plain scans {2:F1} ms" -f $stormS, $Kills, ($plainS * 1000)) `
        ("{0:N1}x" -f $ratio) ("<= {0:0}x" -f $StormGoalRatio) ($ratio -le $StormGoalRatio) $void
}
