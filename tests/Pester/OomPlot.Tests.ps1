BeforeAll {
    . $PSScriptRoot/common.ps1
    . (Join-Path $RepoRoot 'examples/lib/OomPlot.ps1')
}

Describe 'ConvertTo-OomTimelineSvg (examples/lib/OomPlot.ps1)' {
    BeforeEach {
        # 1GB = 262144 pages. A memcg OOM in /app kills "a<b>&'c" (pid 200); "grower" then gets its pages.
        $m = New-OomMachine -Name box -Memory 1GB
        New-OomCgroup -Machine $m -Path /app -MemoryMax 100MB | Out-Null
        Add-OomTask -Machine $m -Pid 200 -Name "a<b>&'c" -AnonRss 60MB -Cgroup /app
        Add-OomTask -Machine $m -Pid 201 -Name grower -AnonRss 30MB -Cgroup /app
        $events = @(Invoke-OomAllocation -Machine $m -Pid 201 -Size 20MB)
    }

    It 'returns well-formed SVG with no script' {
        $svg = $events | ConvertTo-OomTimelineSvg
        $xml = [xml]$svg
        $xml.DocumentElement.LocalName | Should -Be 'svg'
        $svg | Should -Not -Match '<script'
        $svg | Should -Not -Match 'on[a-z]+='
    }

    It 'marks and labels the kill, escaping the process name' {
        $svg = $events | ConvertTo-OomTimelineSvg
        $svg | Should -Match ([regex]::Escape('killed 200 (a&lt;b&gt;&amp;&#39;c)'))
        $svg | Should -Not -Match ([regex]::Escape("a<b>"))
        (([xml]$svg).svg.text | ForEach-Object InnerText) -like 'killed 200*' | Should -Be "killed 200 (a<b>&'c)"
    }

    It 'draws one step line through every event' {
        $xml = [xml]($events | ConvertTo-OomTimelineSvg)
        $d = @($xml.svg.path)[0].d
        # M for the first of the three events, then a horizontal and a vertical segment (two L) for each other.
        ([regex]::Matches($d, 'M')).Count | Should -Be 1
        ([regex]::Matches($d, 'L')).Count | Should -Be 4
    }

    It 'escapes the title and writes the file with -Path' {
        $path = Join-Path $TestDrive 'plot.svg'
        $f = $events | ConvertTo-OomTimelineSvg -Path $path -Title 'a & b' -LimitPages 25600
        $f.FullName | Should -Be $path
        $text = Get-Content -Raw $path
        $text | Should -Match '<title>a &amp; b</title>'
        $text | Should -Match 'limit 100 MiB'
    }

    It 'refuses objects that are not timeline events' {
        { [pscustomobject]@{ Foo = 1 } | ConvertTo-OomTimelineSvg } | Should -Throw '*no ''Seconds'' property*'
    }
}
