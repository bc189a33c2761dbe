# Helpers dot-sourced by the bench/Measure-*.ps1 scripts of issue 13: medians, loud lines, the row line.

$script:inv = [Globalization.CultureInfo]::InvariantCulture

function Get-Median([double[]]$xs) {
    $s = @($xs | Sort-Object)
    if ($s.Count % 2) { $s[[int][Math]::Floor($s.Count / 2)] } else { ($s[$s.Count / 2 - 1] + $s[$s.Count / 2]) / 2 }
}

function Format-Runs([double[]]$xs, [string]$format = 'F3') { ($xs | ForEach-Object { $_.ToString($format, $script:inv) }) -join ' ' }

function Invoke-Collect { [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect() }

# Seconds one run of $work takes.
function Measure-Seconds([scriptblock]$work) {
    $sw = [Diagnostics.Stopwatch]::StartNew()
    $null = & $work
    $sw.Stop()
    $sw.Elapsed.TotalSeconds
}

# A result that voids the timing, in capitals between bars: no one reads past it.
function Write-Shout([string]$message) {
    $bar = '# ' + ('!' * ($message.Length + 8))
    Write-Host '#'
    Write-Host $bar
    Write-Host "# !!! $message !!!"
    Write-Host $bar
}

# The row line Invoke-Bench.ps1 collects: "<row> <what>: figure ...; ratio ...; goal ... — <verdict>".
function Format-Row([string]$what, [string]$figure, [string]$ratio, [string]$goal, [bool]$meets, [string]$void) {
    $verdict = if ($void) { $void } elseif ($meets) { 'meets goal' } else { 'MISSES goal' }
    "${what}: figure $figure; ratio $ratio; goal $goal — $verdict"
}
