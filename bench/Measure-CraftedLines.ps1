#Requires -Version 7.2
<#
.SYNOPSIS
    Times Import-OomReport on crafted lines of 10 MB (issue 10, case 2): one line per shape, and a verdict.
.DESCRIPTION
    Run by Invoke-Bench.ps1 in a fresh `dotnet pwsh -NoProfile` (a binary module cannot be unloaded).

    Not timed: for each shape a temp file is written holding one real report (tests/fixtures/kernel-logs, the
    clamd report) with the crafted line of -SizeMB MB (1,000,000 characters) just after its `invoked oom-killer`
    line, inside the event, where every pattern of the parser sees it. The shapes are the ones that made the parser
    super-linear before issue 10: a `Tainted:` line padded with spaces, a `[` followed by repeated dmesg -T dates,
    repeated `Kill process 1 (`, `invoked oom-killer`, `a: Killed process 1 (` and `would have killed 1 (`, an
    old-format `Memory cgroup stats for /a:` line of letters, and NULs.

    Timed, after one untimed warm-up, median of -Runs: `Import-OomReport -LiteralPath <file>` (the line is cut at
    64 KiB with a warning; the warning is silenced here). Each shape's line:
        crafted Tainted-spaces 10,000,032 chars: 0.081 s, ratio 0.08x of goal (goal: a 10 MB line in under 1 s)
    and last, one line with the slowest shape and its verdict. A figure, never a pass/fail: the exit code is 0
    unless the measurement itself could not be made; a file that does not give its report back with the task table's
    35 rows is printed loudly.
#>
[CmdletBinding()]
param(
    [string]$ModulePath = (Join-Path $PSScriptRoot '../out/OomTools/OomTools.psd1'),
    [string]$Report = (Join-Path $PSScriptRoot '../tests/fixtures/kernel-logs/public/25-parseoom-debian11-5.10-clamd-global-hugepages.log'),
    # Size of each crafted line in MB (1,000,000 characters).
    [int]$SizeMB = 10,
    [int]$Runs = 3,
    [double]$GoalSeconds = 1,
    [switch]$Keep
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
Import-Module $ModulePath -Force

$size = $SizeMB * 1000000
function Repeat([string]$head, [string]$unit, [string]$tail = '') {
    $b = [Text.StringBuilder]::new($size + $unit.Length + $head.Length + $tail.Length)
    $null = $b.Append($head)
    while ($b.Length -lt $size - $tail.Length) { $null = $b.Append($unit) }
    $b.Append($tail).ToString()
}
$shapes = [ordered]@{
    'Tainted-spaces'       = { Repeat 'CPU: 0 PID: 1 Comm: x Tainted: ' ' ' '1' }
    'dmesg-date-bracket'   = { Repeat '[' 'Mon Dec  4 12:00:00 2024 ' }
    'Kill-process'         = { Repeat '' 'Kill process 1 (' }
    'invoked-oom-killer'   = { Repeat 'x ' 'invoked oom-killer' }
    'Killed-process'       = { Repeat '' 'a: Killed process 1 (' }
    'would-have-killed'    = { Repeat '' 'would have killed 1 (' }
    'memcg-stats-letters'  = { Repeat 'Memory cgroup stats for /a:' 'a' }
    'NULs'                 = { Repeat '' "`0" }
}

function Get-Median([double[]]$xs) {
    $s = @($xs | Sort-Object)
    if ($s.Count % 2) { $s[[int][Math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

$lines = [IO.File]::ReadAllLines($Report)
$at = [Array]::FindIndex($lines, [Predicate[string]] { param($l) $l -like '*invoked oom-killer:*' }) + 1
$work = Join-Path ([IO.Path]::GetTempPath()) ("oomtools-craftedbench-" + [Guid]::NewGuid().ToString('N').Substring(0, 8))
$null = New-Item -ItemType Directory -Path $work
try {
    Write-Host "# crafted: PowerShell $($PSVersionTable.PSVersion), .NET $([Environment]::Version), $([Environment]::ProcessorCount) cpus; each file: $([IO.Path]::GetFileName($Report)) with a $SizeMB MB line after its invoked line"
    $worst = $null
    foreach ($name in $shapes.Keys) {
        $line = & $shapes[$name]
        $file = Join-Path $work "$name.log"
        [IO.File]::WriteAllLines($file, [string[]]($lines[0..($at - 1)] + $line + $lines[$at..($lines.Count - 1)]))
        $null = Import-OomReport -LiteralPath $file -WarningAction SilentlyContinue   # warm-up
        $t = [Collections.Generic.List[double]]::new()
        $count = 0
        for ($r = 0; $r -lt $Runs; $r++) {
            [GC]::Collect()
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $reports = @(Import-OomReport -LiteralPath $file -WarningAction SilentlyContinue)
            $sw.Stop()
            $t.Add($sw.Elapsed.TotalSeconds)
            $count = @($reports | Where-Object { $_.Tasks.Count -eq 35 }).Count
        }
        $median = Get-Median $t
        if ($count -ne 1) { Write-Host "# !!! $name`: the file gave $count reports with the task table's 35 rows, not 1 !!!" }
        'crafted {0} {1:N0} chars: {2:F3} s, ratio {3:F2}x of goal (goal: a {4} MB line in under {5:0.#} s)' -f $name, $line.Length, $median, ($median / $GoalSeconds), $SizeMB, $GoalSeconds
        if ($null -eq $worst -or $median -gt $worst.Seconds) { $worst = [pscustomobject]@{ Name = $name; Seconds = $median } }
    }
    $verdict = if ($worst.Seconds -lt $GoalSeconds) { 'meets goal' } else { 'MISSES goal' }
    'crafted lines {0} MB, {1} shapes: slowest {2} {3:F3} s (median of {4}), ratio {5:F2}x of goal (goal: each under {6:0.#} s) — {7}' -f `
        $SizeMB, $shapes.Count, $worst.Name, $worst.Seconds, $Runs, ($worst.Seconds / $GoalSeconds), $GoalSeconds, $verdict
} finally {
    if ($Keep) { Write-Host "# crafted: kept $work" } else { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
}
