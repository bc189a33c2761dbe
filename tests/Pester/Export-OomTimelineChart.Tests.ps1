BeforeAll {
    . $PSScriptRoot/common.ps1

    function New-MemcgStorm {
        # 1GB = 262144 pages. /app is limited to 100MB = 25600 pages: "a<b>&'c" (pid 200, 60MB = 15360 pages) and
        # grower (pid 201, 30MB = 7680 pages) fill 23040 of them. grower asks for 20MB (5120 pages): 28160 > 25600,
        # so a memcg OOM kills pid 200 at 0 s (25600 pages then in use), which exits 5 jiffies later (20 ms at
        # HZ=250) and frees its 15360 pages (10240 left); grower then gets its 5120 (12800).
        $m = New-OomMachine -Name box -Memory 1GB
        New-OomCgroup -Machine $m -Path /app -MemoryMax 100MB | Out-Null
        Add-OomTask -Machine $m -Pid 200 -Name "a<b>&'c" -AnonRss 60MB -Cgroup /app
        Add-OomTask -Machine $m -Pid 201 -Name grower -AnonRss 30MB -Cgroup /app
        , @(Invoke-OomAllocation -Machine $m -Pid 201 -Size 20MB -Detail)
    }

    function New-StuckVictim([int]$LockMs, [long]$Size) {
        # 2GB = 524288 pages, full: backup (pid 300) is killed at 0 s; it holds mmap_lock for $LockMs ms, so the
        # oom_reaper reaps it at 2 s (lock already released) or gives up at 3 s (lock still held).
        $m = New-OomMachine -Name db01 -Memory 2GB
        Add-OomTask -Machine $m -Pid 1 -Name systemd -AnonRss 12MB
        Add-OomTask -Machine $m -Pid 300 -Name backup -AnonRss 1000MB
        Add-OomTask -Machine $m -Pid 400 -Name batch-job -AnonRss 400MB
        Add-OomTask -Machine $m -Pid 500 -Name api -AnonRss 636MB -OomScoreAdj -800
        Set-OomTask -Machine $m -Pid 300 -HoldMmapLock $LockMs -ExitLatency 10000
        $first = Invoke-OutOfMemory -Machine $m -Current 500 -GfpMask GFP_HIGHUSER_MOVABLE
        $events = [System.Collections.Generic.List[OomTools.Engine.Timeline.TimelineEvent]]::new()
        $events.Add($first.ToTimelineEvent())
        Step-OomTime -Machine $m -Milliseconds 500 | ForEach-Object { $events.Add($_) }
        Invoke-OomAllocation -Machine $m -Pid 500 -Size $Size -Rate 400MB -Detail | ForEach-Object { $events.Add($_) }
        , $events.ToArray()
    }

    # Elements named script and attributes named on* (event handlers) anywhere in the document.
    function Get-ActiveContent([xml]$Xml) {
        @($Xml.SelectNodes("//*[local-name()='script'] | //*[local-name()='foreignObject'] | //@*[starts-with(local-name(), 'on')] | //@*[contains(local-name(), 'href')]"))
    }

    # The text of every <text> element, in document order.
    function Get-SvgText([string]$Svg) { @(([xml]$Svg).svg.text | ForEach-Object InnerText) }
}

Describe 'Export-OomTimelineChart' {
    BeforeEach {
        $events = New-MemcgStorm
    }

    Context 'the chart' {
        It 'returns one well-formed SVG string with no script and no external reference' {
            $svg = @($events | Export-OomTimelineChart)
            $svg.Count | Should -Be 1
            $svg[0] | Should -BeOfType [string]
            $xml = [xml]$svg[0]
            $xml.DocumentElement.LocalName | Should -Be 'svg'
            $xml.DocumentElement.NamespaceURI | Should -Be 'http://www.w3.org/2000/svg'
            $svg[0] | Should -Not -Match '<script'
            $svg[0] | Should -Not -Match 'href'
            Get-ActiveContent $xml | Should -BeNullOrEmpty
        }

        It 'marks and labels the kill, escaping the process name' {
            $svg = $events | Export-OomTimelineChart
            $svg | Should -Match ([regex]::Escape('killed 200 (a&lt;b&gt;&amp;&#39;c)'))
            $svg | Should -Not -Match ([regex]::Escape('a<b>'))
            (Get-SvgText $svg) -like 'killed 200*' | Should -Be "killed 200 (a<b>&'c)"
            # One red marker (the circle) and one red dashed line for the one process killed, at 0 s.
            $xml = [xml]$svg
            @($xml.svg.circle | Where-Object fill -EQ '#c62828').Count | Should -Be 1
            @($xml.svg.circle)[0].title | Should -Be "killed 200 (a<b>&'c) at 0 s"
            @($xml.svg.line | Where-Object stroke -EQ '#c62828').Count | Should -Be 1
        }

        It 'keeps hostile names and titles inert: markup, CDATA ends and control characters' {
            $m = New-OomMachine -Name hostile -Memory 1GB
            Add-OomTask -Machine $m -Pid 100 -Name "x`u{1}]]><script>" -AnonRss 500MB
            $o = Invoke-OutOfMemory -Machine $m
            $svg = $o.ToTimelineEvent() | Export-OomTimelineChart -Title '<svg onload="alert(1)">&'
            $xml = [xml]$svg                                  # well-formed: the control character is replaced
            $svg | Should -Not -Match '<script'
            $svg | Should -Not -Match '<svg onload'
            $svg | Should -Not -Match ([regex]::Escape(']]>'))
            Get-ActiveContent $xml | Should -BeNullOrEmpty
            # Nothing but the chart's own elements (g: the legend's group, issue 11): the name became text, not markup.
            @($xml.SelectNodes('//*') | ForEach-Object LocalName | Sort-Object -Unique) | Should -Be @('circle', 'g', 'line', 'path', 'rect', 'svg', 'text', 'title')
            $xml.svg.title | Should -Be '<svg onload="alert(1)">&'
            (Get-SvgText $svg) -like 'killed 100*' | Should -Be "killed 100 (x`u{FFFD}]]><script>)"
        }

        It 'draws one step line through every event, in time order' {
            $xml = [xml]($events | Export-OomTimelineChart)
            $d = @($xml.svg.path)[0].d
            # M for the first of the three events, then a horizontal and a vertical segment (two L) for each other.
            ([regex]::Matches($d, 'M')).Count | Should -Be 1
            ([regex]::Matches($d, 'L')).Count | Should -Be 4
            # Sorted by time (stably: the exit and the allocation of one jiffy keep their order), whatever the input order.
            $events[1], $events[2], $events[0] | Export-OomTimelineChart | Should -BeExactly ($events | Export-OomTimelineChart)
        }

        It 'collects every piped event into one chart, as -InputObject does' {
            $piped = $events | Export-OomTimelineChart
            $piped | Should -BeExactly (Export-OomTimelineChart -InputObject $events)
            # Piped one at a time from two calls' output: still one chart.
            @($events[0], $events[1..2] | ForEach-Object { $_ } | Export-OomTimelineChart).Count | Should -Be 1
        }

        It 'marks the reaper''s Reaped (green) and aborted OOMs (grey)' {
            # Lock held 1.5 s: at 0.5 s api's OOM aborts (backup still exiting), at 2 s the reaper reaps backup;
            # api goes on to 1200MB and the next OOM kills batch-job.
            $stuck = New-StuckVictim -LockMs 1500 -Size 1200MB
            $xml = [xml]($stuck | Export-OomTimelineChart)
            $reaped = @($xml.svg.rect | Where-Object fill -EQ '#2e7d32')
            $reaped.Count | Should -Be 1
            $reaped[0].title | Should -Be 'reaped 300 (backup) at 2 s'
            (Get-SvgText $xml.OuterXml) | Should -Contain 'reaped 300 (backup)'
            @($xml.svg.circle | Where-Object fill -EQ '#9e9e9e').Count | Should -BeGreaterOrEqual 1
            @($xml.svg.circle | Where-Object fill -EQ '#9e9e9e')[0].title | Should -Be 'OOM aborted at 0.5 s: an earlier victim is still exiting'
            # Two kills: backup at 0 s (the Invoke-OutOfMemory outcome) and batch-job when memory ran out again.
            (Get-SvgText $xml.OuterXml) -like 'killed *' | Should -Be @('killed 300 (backup)', 'killed 400 (batch-job)')
        }

        It 'marks UnableToReap (orange) when the victim holds mmap_lock past the last attempt' {
            $stuck = New-StuckVictim -LockMs 5000 -Size 300MB
            $xml = [xml]($stuck | Export-OomTimelineChart)
            $unable = @($xml.svg.rect | Where-Object fill -EQ '#ef6c00')
            $unable.Count | Should -Be 1
            $unable[0].title | Should -Be 'unable to reap 300 (backup) at 3 s'
            @($xml.svg.rect | Where-Object fill -EQ '#2e7d32').Count | Should -Be 0
            # api aborts at 0.5 s and after each of the ten attempts, 2.0 to 2.9 s.
            @($xml.svg.circle | Where-Object fill -EQ '#9e9e9e').Count | Should -Be 11
        }

        It 'labels the axis with the events'' page size; -LimitPages draws the limit' {
            # 25600 pages of 4096 bytes = 100 MiB.
            $events | Export-OomTimelineChart -LimitPages 25600 | Should -Match '>limit 100 MiB</text>'
            # 64 KiB pages: 100 pages = 6.25 MiB.
            $m = New-OomMachine -Name arm -Memory 4GB -PageSize 65536
            Add-OomTask -Machine $m -Pid 10 -Name big -AnonRss 1GB
            $e = (Invoke-OutOfMemory -Machine $m).ToTimelineEvent()
            $e.PageSize | Should -Be 65536
            $e | Export-OomTimelineChart -LimitPages 100 | Should -Match '>limit 6.25 MiB</text>'
            $events | Export-OomTimelineChart | Should -Not -Match '>limit '
        }

        It 'refuses events of machines with different page sizes' {
            $m = New-OomMachine -Name arm -Memory 4GB -PageSize 65536
            Add-OomTask -Machine $m -Pid 10 -Name big -AnonRss 1GB
            $other = (Invoke-OutOfMemory -Machine $m).ToTimelineEvent()
            $out = @($events + $other) | Export-OomTimelineChart -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -Be 'InvalidArgument,OomTools.Commands.ExportOomTimelineChartCommand'
            "$($err[0])" | Should -Match 'different page sizes \(4096 and 65536 bytes\)'
        }

        It 'takes -Width and -Height' {
            $xml = [xml]($events | Export-OomTimelineChart -Width 1200 -Height 300)
            $xml.svg.width | Should -Be '1200'
            $xml.svg.height | Should -Be '300'
            $xml.svg.viewBox | Should -Be '0 0 1200 300'
            { $events | Export-OomTimelineChart -Width 100 } | Should -Throw -ErrorId 'ParameterArgumentValidationError,OomTools.Commands.ExportOomTimelineChartCommand'
        }

        It 'writes numbers in the invariant culture whatever the current culture' {
            $invariant = $events | Export-OomTimelineChart -LimitPages 100
            $saved = [cultureinfo]::CurrentCulture
            try {
                [cultureinfo]::CurrentCulture = [cultureinfo]'de-DE'
                $german = $events | Export-OomTimelineChart -LimitPages 100
            }
            finally { [cultureinfo]::CurrentCulture = $saved }
            $german | Should -BeExactly $invariant
            $german | Should -Match '>limit 0.39 MiB</text>'
        }

        It 'writes an error, not a chart, when there are no events' {
            $quiet = @{ ErrorAction = 'SilentlyContinue'; ErrorVariable = 'err' }
            foreach ($none in { @() | Export-OomTimelineChart @quiet }, { Export-OomTimelineChart -InputObject @() @quiet }, { $null | Export-OomTimelineChart @quiet }) {
                $out = . $none
                $out | Should -BeNullOrEmpty
                $err.Count | Should -Be 1
                $err[0].FullyQualifiedErrorId | Should -Be 'InvalidArgument,OomTools.Commands.ExportOomTimelineChartCommand'
                "$($err[0])" | Should -Be 'There are no timeline events to chart.'
            }
        }

        It 'skips nulls among the events' {
            $events[0], $null, $events[1], $events[2] | Export-OomTimelineChart -ErrorVariable err | Should -BeExactly ($events | Export-OomTimelineChart)
            $err | Should -BeNullOrEmpty
            Export-OomTimelineChart -InputObject ($events + $null) | Should -BeExactly ($events | Export-OomTimelineChart)
        }

        It 'refuses objects that are not timeline events' {
            { [pscustomobject]@{ Seconds = 1; MemoryInUsePages = 2; Kind = 'Exit' } | Export-OomTimelineChart -ErrorAction Stop } |
                Should -Throw -ErrorId 'InputObjectNotBound,OomTools.Commands.ExportOomTimelineChartCommand'
        }
    }

    Context 'a legend and units (issue 11)' {
        It 'names what each line and marker is, in a legend above the plot' {
            $events = New-StuckVictim -LockMs 5000 -Size 600MB
            $xml = [xml]($events | Export-OomTimelineChart -LimitPages 524288)
            $legend = @($xml.svg.g | Where-Object class -EQ legend)
            $legend.Count | Should -Be 1
            # The second OOM aborts (the victim is still exiting) and the reaper gives up; nothing is reaped: no green entry.
            @($legend[0].text | ForEach-Object InnerText) | Should -Be @(
                'memory in use (MiB)', 'limit', 'process killed by an OOM', 'OOM aborted (a victim still exiting)', 'the oom_reaper gave up')
            # Each entry's sample has the colour of what it names: the line's blue, the kill's red, the reaper's orange.
            @($legend[0].line)[0].stroke | Should -Be '#1f5fbf'
            @($legend[0].line)[1].'stroke-dasharray' | Should -Be '6 4'
            @($legend[0].circle)[0].fill | Should -Be '#c62828'
            @($legend[0].circle)[1].fill | Should -Be '#9e9e9e'
            @($legend[0].rect)[0].fill | Should -Be '#ef6c00'
        }

        It 'names the axes with their units: seconds, MiB, GiB from 4 GiB up' {
            Get-SvgText ($events | Export-OomTimelineChart) | Should -Contain 'time since boot (s)'
            Get-SvgText ($events | Export-OomTimelineChart) | Should -Contain 'memory in use (MiB)'
            $text = Get-SvgText ($events | Export-OomTimelineChart -LimitPages 1048576)
            $text | Should -Contain 'memory in use (GiB)'
            $text | Should -Contain 'limit 4 GiB'
            $text | Should -Not -Contain 'MiB in use'
        }

        It 'shows its legend and units at a laptop''s width in headless Chromium' {
            . $PSScriptRoot/screenshots.ps1
            if (-not (Get-Chromium)) {
                Set-ItResult -Skipped -Because 'chromium is not installed here (.ci/run installs it with apt-get install chromium); the screenshot check needs it'
                return
            }
            $svg = Join-Path $TestDrive 'laptop.svg'
            New-StuckVictim -LockMs 5000 -Size 600MB | Export-OomTimelineChart -Path $svg -LimitPages 524288 -Title 'db01: a stuck victim'
            $stats = Invoke-ChromiumScreenshot -Path $svg -Png (Join-Path $TestDrive 'laptop.png')
            $stats.Width | Should -Be 1366
            $stats.DistinctColours | Should -BeGreaterThan 20
            # The memory line (#1f5fbf), the kill (#c62828) and the reaper's orange (#ef6c00) are drawn, legend samples included.
            $stats.CountOf(0x1f5fbf) | Should -BeGreaterThan 500
            $stats.CountOf(0xc62828) | Should -BeGreaterThan 50
            $stats.CountOf(0xef6c00) | Should -BeGreaterThan 30
        }
    }

    Context 'writing a file' {
        It 'writes UTF-8 without a byte-order mark, escapes the title, returns the file only with -PassThru' {
            $path = Join-Path $TestDrive 'plot.svg'
            $events | Export-OomTimelineChart -Path $path -Title 'a & b' -LimitPages 25600 | Should -BeNullOrEmpty
            $text = Get-Content -Raw $path
            $text | Should -Match '<title>a &amp; b</title>'
            $text | Should -Match 'limit 100 MiB'
            $text | Should -BeExactly ($events | Export-OomTimelineChart -Title 'a & b' -LimitPages 25600)
            [System.IO.File]::ReadAllBytes($path)[0] | Should -Be ([byte][char]'<')
            $f = $events | Export-OomTimelineChart -Path $path -PassThru
            $f | Should -BeOfType [System.IO.FileInfo]
            $f.FullName | Should -Be $path
        }

        It 'takes -LiteralPath for names with wildcard characters' {
            $path = Join-Path $TestDrive 'chart[1].svg'
            $f = $events | Export-OomTimelineChart -LiteralPath $path -PassThru
            $f.Name | Should -Be 'chart[1].svg'
            [xml](Get-Content -Raw -LiteralPath $path) | Should -Not -BeNullOrEmpty
        }

        It 'with -NoClobber refuses an existing file and leaves it as it was' {
            $path = Join-Path $TestDrive 'keep.svg'
            Set-Content -Path $path -Value 'an older chart'
            $out = $events | Export-OomTimelineChart -Path $path -NoClobber -PassThru -ErrorAction SilentlyContinue -ErrorVariable err
            $out | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -Be 'FileExists,OomTools.Commands.ExportOomTimelineChartCommand'
            $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            (Get-Content -Raw $path).Trim() | Should -Be 'an older chart'
        }

        It 'with -WhatIf writes nothing: no new file, an existing one unchanged' {
            $new = Join-Path $TestDrive 'new.svg'
            $events | Export-OomTimelineChart -Path $new -PassThru -WhatIf | Should -BeNullOrEmpty
            Test-Path $new | Should -BeFalse
            $old = Join-Path $TestDrive 'old.svg'
            Set-Content -Path $old -Value 'an older chart'
            $events | Export-OomTimelineChart -Path $old -WhatIf
            (Get-Content -Raw $old).Trim() | Should -Be 'an older chart'
        }

        It 'with -Force replaces a read-only file' {
            $path = Join-Path $TestDrive 'ro.svg'
            Set-Content -Path $path -Value 'old'
            (Get-Item $path).IsReadOnly = $true
            $events | Export-OomTimelineChart -Path $path -Force
            (Get-Item $path).IsReadOnly | Should -BeFalse
            [xml](Get-Content -Raw $path) | Should -Not -BeNullOrEmpty
        }

        It 'refuses a folder as the file' {
            $events | Export-OomTimelineChart -Path $TestDrive -ErrorAction SilentlyContinue -ErrorVariable err
            $err[0].FullyQualifiedErrorId | Should -Be 'PathIsFolder,OomTools.Commands.ExportOomTimelineChartCommand'
        }
    }
}
