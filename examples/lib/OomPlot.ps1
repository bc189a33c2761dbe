#Requires -Version 7.2
<#
.SYNOPSIS
    ConvertTo-OomTimelineSvg: a line chart of a machine's memory over simulated time, as a plain SVG file.
.DESCRIPTION
    Dot-source this file (. ./examples/lib/OomPlot.ps1), then pipe it the TimelineEvent objects that
    Step-OomTime and Invoke-OomAllocation return. The chart is static SVG: no script, no external references,
    every piece of text escaped, so it opens safely in any browser or image viewer.
#>

function ConvertTo-OomTimelineSvg {
    <#
    .SYNOPSIS
        Draws memory in use over time from timeline events, with every OOM kill marked and labelled.
    .DESCRIPTION
        Takes objects with Seconds, MemoryInUsePages, Kind, Pid and Name (OomTools' TimelineEvent, or anything
        shaped like it). Memory is drawn as a step line: it holds its value from one event to the next.
        OutOfMemory events whose Outcome killed processes get a red marker and a "killed PID (name)" label per
        process; an OutOfMemory event that aborted (an earlier victim still exiting) gets a grey marker; the
        oom_reaper's Reaped and UnableToReap events get green and orange markers. Names are HTML-escaped.
        Returns the SVG text; with -Path it writes the SVG there (UTF-8) and returns the file instead.
    .EXAMPLE
        $events = Invoke-OomAllocation -Machine $m -Pid 500 -Size 1GB -Rate 256MB
        $events | ConvertTo-OomTimelineSvg -Path /tmp/storm.svg -PageSize $m.PageSize -LimitPages $m.TotalRamPages.Value
    #>
    [CmdletBinding()]
    [OutputType([string], [System.IO.FileInfo])]
    param(
        [Parameter(Mandatory, ValueFromPipeline)]
        [object[]] $InputObject,

        # Write the SVG here too.
        [string] $Path,

        [string] $Title = 'Memory in use over time',

        # Bytes per page, to label the axis in MiB.
        [ValidateRange(512, 1GB)]
        [int] $PageSize = 4096,

        # Draw a dashed line at this many pages (the machine's RAM or the cgroup's limit).
        [long] $LimitPages = 0,

        [ValidateRange(200, 10000)] [int] $Width = 900,
        [ValidateRange(150, 10000)] [int] $Height = 420
    )
    begin { $events = [System.Collections.Generic.List[object]]::new() }
    process { foreach ($e in $InputObject) { if ($null -ne $e) { $events.Add($e) } } }
    end {
        if ($events.Count -eq 0) { throw 'ConvertTo-OomTimelineSvg: no events to plot.' }
        foreach ($name in 'Seconds', 'MemoryInUsePages', 'Kind') {
            if (-not $events[0].PSObject.Properties[$name]) { throw "ConvertTo-OomTimelineSvg: the events have no '$name' property." }
        }
        $inv = [System.Globalization.CultureInfo]::InvariantCulture
        function Num([double]$x) { $x.ToString('0.##', $inv) }
        function Esc([object]$text) { [System.Net.WebUtility]::HtmlEncode("$text") }
        $mib = $PageSize / 1MB

        $points = @($events | Sort-Object { [double]$_.Seconds } -Stable)
        $t0 = [double]$points[0].Seconds
        $t1 = [double]$points[-1].Seconds
        if ($t1 -le $t0) { $t1 = $t0 + 1 }
        $yMaxPages = [math]::Max([double]$LimitPages, [double](($points | Measure-Object MemoryInUsePages -Maximum).Maximum))
        if ($yMaxPages -le 0) { $yMaxPages = 1 }

        # Axes with "nice" steps (1, 2 or 5 times a power of ten).
        function NiceStep([double]$range, [int]$ticks) {
            $raw = $range / $ticks
            $pow = [math]::Pow(10, [math]::Floor([math]::Log10($raw)))
            foreach ($m in 1, 2, 5, 10) { if ($m * $pow -ge $raw) { return $m * $pow } }
        }
        $yMax = $yMaxPages * $mib
        $yStep = NiceStep $yMax 5
        $yTop = [math]::Ceiling($yMax / $yStep) * $yStep
        $xStep = NiceStep ($t1 - $t0) 8
        $xLeft = [math]::Floor($t0 / $xStep) * $xStep
        $xRight = [math]::Ceiling($t1 / $xStep) * $xStep

        $ml = 70; $mr = 20; $mt = 40; $mb = 45
        $pw = $Width - $ml - $mr; $ph = $Height - $mt - $mb
        $toX = { param([double]$s) $ml + ($s - $xLeft) / ($xRight - $xLeft) * $pw }
        $toY = { param([double]$pages) $mt + $ph - ($pages * $mib) / $yTop * $ph }

        $svg = [System.Text.StringBuilder]::new()
        $null = $svg.AppendLine("<svg xmlns=""http://www.w3.org/2000/svg"" width=""$Width"" height=""$Height"" viewBox=""0 0 $Width $Height"" font-family=""sans-serif"" font-size=""11"">")
        $null = $svg.AppendLine("<title>$(Esc $Title)</title>")
        $null = $svg.AppendLine("<rect x=""0"" y=""0"" width=""$Width"" height=""$Height"" fill=""white""/>")
        $null = $svg.AppendLine("<text x=""$(Num ($Width / 2))"" y=""22"" text-anchor=""middle"" font-size=""14"" font-weight=""bold"">$(Esc $Title)</text>")

        # Grid and tick labels.
        for ($v = 0.0; $v -le $yTop + $yStep / 2; $v += $yStep) {
            $y = & $toY ($v / $mib)
            $null = $svg.AppendLine("<line x1=""$ml"" y1=""$(Num $y)"" x2=""$($ml + $pw)"" y2=""$(Num $y)"" stroke=""#e4e4e4""/>")
            $null = $svg.AppendLine("<text x=""$($ml - 6)"" y=""$(Num ($y + 4))"" text-anchor=""end"">$(Num $v)</text>")
        }
        for ($s = $xLeft; $s -le $xRight + $xStep / 2; $s += $xStep) {
            $x = & $toX $s
            $null = $svg.AppendLine("<line x1=""$(Num $x)"" y1=""$mt"" x2=""$(Num $x)"" y2=""$($mt + $ph)"" stroke=""#f0f0f0""/>")
            $null = $svg.AppendLine("<text x=""$(Num $x)"" y=""$($mt + $ph + 16)"" text-anchor=""middle"">$(Num $s)</text>")
        }
        $null = $svg.AppendLine("<rect x=""$ml"" y=""$mt"" width=""$pw"" height=""$ph"" fill=""none"" stroke=""#888""/>")
        $null = $svg.AppendLine("<text x=""$(Num ($ml + $pw / 2))"" y=""$($Height - 8)"" text-anchor=""middle"">seconds since boot</text>")
        $null = $svg.AppendLine("<text x=""16"" y=""$(Num ($mt + $ph / 2))"" text-anchor=""middle"" transform=""rotate(-90 16 $(Num ($mt + $ph / 2)))"">MiB in use</text>")
        if ($LimitPages -gt 0) {
            $y = & $toY $LimitPages
            $null = $svg.AppendLine("<line x1=""$ml"" y1=""$(Num $y)"" x2=""$($ml + $pw)"" y2=""$(Num $y)"" stroke=""#555"" stroke-dasharray=""6 4""/>")
            $null = $svg.AppendLine("<text x=""$($ml + $pw - 4)"" y=""$(Num ($y - 4))"" text-anchor=""end"" fill=""#555"">limit $(Num ($LimitPages * $mib)) MiB</text>")
        }

        # Memory as a step line: each value holds until the next event.
        $d = [System.Text.StringBuilder]::new()
        $prevY = $null
        foreach ($p in $points) {
            $x = Num (& $toX ([double]$p.Seconds)); $y = Num (& $toY ([double]$p.MemoryInUsePages))
            if ($null -eq $prevY) { $null = $d.Append("M$x,$y") }
            else { $null = $d.Append(" L$x,$prevY L$x,$y") }
            $prevY = $y
        }
        $null = $svg.AppendLine("<path d=""$d"" fill=""none"" stroke=""#1f5fbf"" stroke-width=""2""/>")

        # Markers: kills (labelled), aborted OOMs, the reaper's results.
        $labelRow = 0; $lastLabelX = [double]::NegativeInfinity
        foreach ($p in $points) {
            $x = & $toX ([double]$p.Seconds); $y = & $toY ([double]$p.MemoryInUsePages)
            $kind = "$($p.Kind)"
            $outcome = if ($p.PSObject.Properties['Outcome']) { $p.Outcome } else { $null }
            if ($kind -eq 'OutOfMemory' -and $null -ne $outcome -and @($outcome.Killed).Count -gt 0) {
                foreach ($k in @($outcome.Killed)) {
                    # Labels near each other go on rows below one another.
                    if ($x - $lastLabelX -lt 150) { $labelRow++ } else { $labelRow = 0 }
                    $lastLabelX = $x
                    $ly = $mt + 14 + 13 * ($labelRow % [math]::Max(1, [math]::Floor(($ph - 20) / 13)))
                    $label = "killed $($k.Pid) ($($k.Comm))"
                    $null = $svg.AppendLine("<line x1=""$(Num $x)"" y1=""$mt"" x2=""$(Num $x)"" y2=""$($mt + $ph)"" stroke=""#c62828"" stroke-dasharray=""3 3""/>")
                    $null = $svg.AppendLine("<circle cx=""$(Num $x)"" cy=""$(Num $y)"" r=""5"" fill=""#c62828""><title>$(Esc "$label at $(Num $p.Seconds) s")</title></circle>")
                    $null = $svg.AppendLine("<text x=""$(Num ($x + 4))"" y=""$(Num $ly)"" fill=""#c62828"">$(Esc $label)</text>")
                }
            }
            elseif ($kind -eq 'OutOfMemory' -and $null -ne $outcome -and $outcome.Aborted) {
                $null = $svg.AppendLine("<circle cx=""$(Num $x)"" cy=""$(Num $y)"" r=""3.5"" fill=""#9e9e9e""><title>$(Esc "OOM aborted at $(Num $p.Seconds) s: an earlier victim is still exiting")</title></circle>")
            }
            elseif ($kind -in 'Reaped', 'UnableToReap') {
                $color = if ($kind -eq 'Reaped') { '#2e7d32' } else { '#ef6c00' }
                $text = if ($kind -eq 'Reaped') { "reaped $($p.Pid) ($($p.Name))" } else { "unable to reap $($p.Pid) ($($p.Name))" }
                $null = $svg.AppendLine("<rect x=""$(Num ($x - 4))"" y=""$(Num ($y - 4))"" width=""8"" height=""8"" fill=""$color""><title>$(Esc "$text at $(Num $p.Seconds) s")</title></rect>")
                $null = $svg.AppendLine("<text x=""$(Num ($x + 6))"" y=""$(Num ($y - 6))"" fill=""$color"">$(Esc $text)</text>")
            }
        }
        $null = $svg.AppendLine('</svg>')
        $text = $svg.ToString()
        if ($Path) {
            [System.IO.File]::WriteAllText($Path, $text, [System.Text.UTF8Encoding]::new($false))
            Get-Item -LiteralPath $Path
        }
        else { $text }
    }
}
