BeforeAll {
    . $PSScriptRoot/common.ps1

    function New-AuditHost([string]$Name = 'app-01') {
        $m = New-OomMachine -Name $Name -Memory 8GB -Swap 1GB
        New-OomCgroup -Machine $m -Path /app -MemoryMax 4GB | Out-Null
        Add-OomTask -Machine $m -Pid 1 -Name systemd -AnonRss 10MB | Out-Null
        Add-OomTask -Machine $m -Pid 100 -Name postgres -AnonRss 2GB -OomScoreAdj -500 | Out-Null
        Add-OomTask -Machine $m -Pid 200 -Name java -AnonRss 3GB -Cgroup /app | Out-Null
        Add-OomTask -Machine $m -Pid 300 -Name nginx -AnonRss 200MB -Cgroup /app | Out-Null
        Add-OomTask -Machine $m -Pid 400 -Name redis -AnonRss 1GB | Out-Null
        Add-OomTask -Machine $m -Pid 500 -Name sshd -AnonRss 8MB -OomScoreAdj -1000 | Out-Null
        $m
    }

    . $PSScriptRoot/screenshots.ps1
}

Describe 'Export-OomAuditReport' {
    BeforeAll {
        $m = New-AuditHost
        $dir = Join-Path ([System.IO.Path]::GetTempPath()) "oomtools-report-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType Directory -Path $dir
    }
    AfterAll {
        Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction Ignore
    }

    Context 'the page' {
        BeforeAll {
            $html = Export-OomAuditReport -Machine $m -Critical postgres, redis -Kills 2
        }

        It 'gives a critical service one row, by the first of its processes to die, and marks all of them critical' {
            $svc = New-AuditHost
            Add-OomTask -Machine $svc -Pid 101 -Name postgres -AnonRss 3GB | Out-Null
            Add-OomTask -Machine $svc -Pid 102 -Name postgres -AnonRss 100MB -OomScoreAdj -500 | Out-Null
            $page = Export-OomAuditReport -Machine $svc -Critical postgres -Kills 2
            ([regex]::Matches($page, '<td>postgres \(3 processes\)</td>')).Count | Should -Be 1
            $page | Should -Not -Match '<td class="n">100</td><td>postgres</td>'
            $page | Should -Match 'One row per service'
        }

        It 'is one self-contained HTML string: inline CSS and SVG, no script, nothing fetched' {
            $html | Should -BeOfType ([string])
            @($html).Count | Should -Be 1
            $html | Should -Match '^<!DOCTYPE html>'
            $html | Should -Match '<style>'
            $html | Should -Match '<svg class="chart"'
            $html | Should -Not -Match '<script'
            $html | Should -Not -Match '<link'
            $html | Should -Not -Match 'src='
            $html | Should -Match "default-src 'none'"
            ($html -replace 'http://www\.w3\.org/2000/svg', '') | Should -Not -Match 'https?://'
        }

        It 'draws one bar per killable process and lists the unkillable ones apart' {
            # systemd (init) and sshd (-1000) are never chosen: 4 bars.
            ([regex]::Matches($html, '<rect ')).Count | Should -Be 4
            $html | Should -Match '<td class="n">1</td><td>systemd</td><td>global init \(pid 1\) is never killed'
            $html | Should -Match '<td class="n">500</td><td>sshd</td><td>oom_score_adj -1000'
            $html | Should -Match '#1 200 java'
        }

        It 'has the kill order of Get-OomKillOrder, first -Kills steps' {
            $steps = @(Get-OomKillOrder -Machine $m -Count 2)
            $steps.Count | Should -Be 2
            foreach ($s in $steps) {
                $html | Should -Match ('<td class="n">{0}</td><td class="n">{1}</td><td>{2}</td>' -f $s.Step, $s.Pid, [regex]::Escape($s.Name))
            }
            $html | Should -Not -Match '<td class="n">3</td><td class="n">\d+</td><td>'
        }

        It 'has a protection row per critical process, agreeing with Test-OomProtection' {
            foreach ($p in Test-OomProtection -Machine $m -Name postgres, redis -Kills 2) {
                $verdict = if ($p.Protected) { '<span class="ok">protected</span>' } else { '<span class="bad">NOT protected</span>' }
                $safe = if ($null -eq $p.MaxSafeOomScoreAdj) { 'none' } else { $p.MaxSafeOomScoreAdj }
                $html | Should -Match ('<tr><td class="n">{0}</td><td>{1}</td><td class="n">{2}</td>.*{3}</td><td class="n">{4}</td></tr>' -f $p.Pid, $p.Name, $p.OomScoreAdj, [regex]::Escape($verdict), $safe)
            }
        }
    }

    Context 'a host with kernel threads and unkillable processes (issue 11)' {
        BeforeAll {
            # What Get-OomSnapshot finds on a small VM: init, 62 kernel threads, 3 processes at -1000, a few services
            # and a 1.8 MiB sleep at oom_score_adj 300, whose points are 300/1000 of the machine's pages.
            $k = New-OomMachine -Name vm-kthreads -Memory 16GB
            Add-OomTask -Machine $k -Pid 1 -Name systemd -AnonRss 12MB | Out-Null
            foreach ($i in 2..63) { Add-OomTask -Machine $k -Pid $i -Name "kworker/$i" -KernelThread | Out-Null }
            Add-OomTask -Machine $k -Pid 300 -Name systemd-udevd -AnonRss 6MB -OomScoreAdj -1000 | Out-Null
            Add-OomTask -Machine $k -Pid 301 -Name sshd -AnonRss 8MB -OomScoreAdj -1000 | Out-Null
            Add-OomTask -Machine $k -Pid 302 -Name auditd -AnonRss 4MB -OomScoreAdj -1000 | Out-Null
            Add-OomTask -Machine $k -Pid 400 -Name java -AnonRss 3GB | Out-Null
            Add-OomTask -Machine $k -Pid 401 -Name postgres -AnonRss 2GB -OomScoreAdj -500 | Out-Null
            Add-OomTask -Machine $k -Pid 402 -Name sleep -AnonRss 1.8MB -OomScoreAdj 300 | Out-Null
            $page = Export-OomAuditReport -Machine $k -Critical java, postgres -Kills 2
            $summary = '62 kernel threads, global init (pid 1) and 3 unkillable processes (oom_score_adj -1000): never chosen'
        }

        It 'puts the kill order before the ranking and the folded row of processes never chosen' {
            $order = $page.IndexOf('<h2>Kill order</h2>')
            $folded = $page.IndexOf('<table class="folded">')
            $order | Should -BeGreaterThan 0
            $folded | Should -BeGreaterThan 0
            $order | Should -BeLessThan $folded
            $order | Should -BeLessThan $page.IndexOf('<h2>Ranking</h2>')
            $order | Should -BeLessThan $page.IndexOf('<h2>Critical processes</h2>')
        }

        It 'folds init, the kernel threads and the -1000 processes into one row that counts them' {
            [regex]::Matches($page, '<summary>').Count | Should -Be 1
            $page | Should -Match ('<summary>{0}</summary>' -f [regex]::Escape($summary))
            # The 66 rows are there, but only inside the closed <details>: nothing pushes the page down.
            $inside = $page.Substring($page.IndexOf('<details>'), $page.IndexOf('</details>') - $page.IndexOf('<details>'))
            [regex]::Matches($inside, '<td>kernel thread</td>').Count | Should -Be 62
            [regex]::Matches($page, '<td>kernel thread</td>').Count | Should -Be 62
            $inside | Should -Match '<td class="n">301</td><td>sshd</td><td>oom_score_adj -1000'
            $page | Should -Not -Match '<details open'
            $page | Should -Not -Match '<h3>Never chosen</h3>'
        }

        It 'labels points as points and sizes in KiB/MiB/GiB, never points as a size' {
            $sleep = Get-OomBadness -Machine $k -Pid 402
            $points = ([long]$sleep.Points).ToString('N0', [cultureinfo]::InvariantCulture)
            # 300/1000 of 4194304 pages: more points than java's 3 GiB, for 1.8 MiB of rss.
            [long]$sleep.Points | Should -BeGreaterThan 1000000
            $page | Should -Match ([regex]::Escape("$points points $([char]0xB7) rss 1.8 MiB"))
            $page | Should -Match ([regex]::Escape("points $([char]0xB7) rss 3 GiB"))
            # The old label turned points into bytes: "1,258,752 (4.8 GiB)".
            $page | Should -Not -Match '\d \([\d.]+ [KMGT]?i?B\)'
            $page | Should -Not -Match ([regex]::Escape($points) + '[^<]*GiB')
            $page | Should -Match '<th class="n">points</th>'
            $page | Should -Match '<th class="n">margin \(points\)</th>'
            $page | Should -Match 'oom_badness \(points\)'
            $page | Should -Match '4,194,304 pages \(16 GiB\) to weigh against'
        }

        It 'shows the kill order on the first screen of a 1366x768 laptop, in headless Chromium' {
            if (-not (Get-Chromium)) {
                Set-ItResult -Skipped -Because 'chromium is not installed here (.ci/run installs it with apt-get install chromium); the screenshot check needs it'
                return
            }
            $html = Join-Path $dir 'kthreads.html'
            $png = Join-Path $dir 'kthreads.png'
            Set-Content -LiteralPath $html -Value $page -Encoding utf8NoBOM
            $stats = Invoke-ChromiumScreenshot -Path $html -Png $png
            $stats.Width | Should -Be 1366
            $stats.Height | Should -Be 768
            $stats.DistinctColours | Should -BeGreaterThan 100
            # java, critical, dies in kill 2 (after the sleep): its kill-order row is tinted #fee2e2. Below 62 kernel-thread rows it was
            # 3,000 px down, out of this screen.
            $stats.CountOf(0xfee2e2) | Should -BeGreaterThan 5000
        }
    }

    It 'declares the OOM-domain parameters as the audit cmdlets (OomDomainCmdlet) do' {
        # Its base class is the export one, so it declares them itself: they must not drift apart.
        function Get-Shape($Parameter) {
            $attributes = foreach ($a in $Parameter.Attributes) {
                switch ($a) {
                    { $_ -is [System.Management.Automation.ParameterAttribute] } {
                        "Parameter(set=$($a.ParameterSetName) mandatory=$($a.Mandatory) position=$($a.Position) pipeline=$($a.ValueFromPipeline)/$($a.ValueFromPipelineByPropertyName))"
                    }
                    { $_ -is [System.Management.Automation.ArgumentCompleterAttribute] } { "ArgumentCompleter($($a.Type))" }
                    { $_.GetType().Namespace -eq 'System.Runtime.CompilerServices' } { }   # the compiler's nullable markers
                    default { $a.GetType().Name }
                }
            }
            "$($Parameter.ParameterType) aliases=$($Parameter.Aliases -join ',') $(@($attributes | Sort-Object) -join ' ')"
        }
        $report = (Get-Command Export-OomAuditReport).Parameters
        $audit = (Get-Command Get-OomKillOrder).Parameters
        foreach ($name in 'Cgroup', 'Nodemask', 'Cpuset', 'GfpMask', 'Current') {
            $report.ContainsKey($name) | Should -BeTrue -Because "-$name names the OOM's domain"
            Get-Shape $report[$name] | Should -Be (Get-Shape $audit[$name]) -Because "-$name is declared twice"
        }
    }

    It 'HTML-escapes every name: machine, title, processes, cgroups' {
        $evil = New-OomMachine -Name '<b>host</b>'
        New-OomCgroup -Machine $evil -Path '/a&b' | Out-Null
        Add-OomTask -Machine $evil -Pid 10 -Name '<script>alert(1)' -AnonRss 1GB -Cgroup '/a&b' | Out-Null
        Add-OomTask -Machine $evil -Pid 11 -Name '"><img src=x>' -AnonRss 500MB | Out-Null
        $page = Export-OomAuditReport -Machine $evil -Title '<i>t</i>' -Critical '"><img*'
        $page | Should -Not -Match '<script'
        $page | Should -Not -Match '<img'
        $page | Should -Not -Match '<b>host'
        $page | Should -Not -Match '<i>t'
        $page | Should -Match '&lt;script&gt;alert\(1\)'
        $page | Should -Match '/a&amp;b'
    }

    It 'lists a critical name with no process as missing, with a TaskNotFound error' {
        $page = Export-OomAuditReport -Machine $m -Critical postgres, mysql -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev.Count | Should -Be 1
        $ev[0].FullyQualifiedErrorId | Should -Be 'TaskNotFound,OomTools.Commands.ExportOomAuditReportCommand'
        $page | Should -Match '<td>mysql</td><td colspan="7">no such process on this machine'
        $page | Should -Match '1 of 2 protected'
    }

    It 'audits a memory cgroup OOM with -Cgroup: only that cgroup''s processes' {
        $page = Export-OomAuditReport -Machine $m -Cgroup /app
        $page | Should -Match 'memory cgroup /app'
        ([regex]::Matches($page, '<rect ')).Count | Should -Be 2
        $page | Should -Not -Match 'postgres'
    }

    It 'reports an unknown -Cgroup as CgroupNotFound and writes nothing' {
        $out = Export-OomAuditReport -Machine $m -Cgroup /nope -ErrorVariable ev -ErrorAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $ev[0].FullyQualifiedErrorId | Should -Be 'CgroupNotFound,OomTools.Commands.ExportOomAuditReportCommand'
    }

    It 'writes the file with -Path and returns its FileInfo with -PassThru' {
        $path = Join-Path $dir 'report.html'
        $file = Export-OomAuditReport -Machine $m -Path $path -PassThru
        $file | Should -BeOfType ([System.IO.FileInfo])
        $file.FullName | Should -Be $path
        Get-Content -LiteralPath $path -Raw | Should -Match '^<!DOCTYPE html>'
        Export-OomAuditReport -Machine $m -Path $path | Should -BeNullOrEmpty
    }

    It 'writes nothing with -WhatIf' {
        $path = Join-Path $dir 'whatif.html'
        Export-OomAuditReport -Machine $m -Path $path -WhatIf | Should -BeNullOrEmpty
        Test-Path $path | Should -BeFalse
    }

    It 'does not replace a file with -NoClobber (FileExists)' {
        $path = Join-Path $dir 'keep.html'
        Set-Content -LiteralPath $path -Value 'keep'
        Export-OomAuditReport -Machine $m -Path $path -NoClobber -ErrorVariable ev -ErrorAction SilentlyContinue
        $ev[0].FullyQualifiedErrorId | Should -Be 'FileExists,OomTools.Commands.ExportOomAuditReportCommand'
        (Get-Content -LiteralPath $path -Raw).Trim() | Should -Be 'keep'
    }

    It 'renders in headless Chromium to a picture that is not blank' {
        if (-not (Get-Chromium)) {
            Set-ItResult -Skipped -Because 'chromium is not installed here (.ci/run installs it with apt-get install chromium); the screenshot check needs it'
            return
        }
        $big = New-AuditHost -Name 'screenshot-host'
        foreach ($i in 1..12) { Add-OomTask -Machine $big -Pid (1000 + $i) -Name "worker-$i" -AnonRss ($i * 64MB) -Cgroup /app | Out-Null }
        $html = Join-Path $dir 'screenshot.html'
        $png = Join-Path $dir 'screenshot.png'
        Export-OomAuditReport -Machine $big -Path $html -Critical postgres, redis -Kills 3
        # 1400 px high: the kill order and the critical processes now come first (issue 11), the bars below them.
        $stats = Invoke-ChromiumScreenshot -Path $html -Png $png -Width 1200 -Height 1400
        $stats.Width | Should -Be 1200
        $stats.Height | Should -Be 1400
        # A blank page is one colour; text, tables and bars make hundreds.
        $stats.DistinctColours | Should -BeGreaterThan 100
        $stats.NonWhitePixels | Should -BeGreaterThan (1200 * 900 / 20)
        # The bars were drawn: the first victim's red (#c0392b) and the other processes' amber (#f59e0b).
        $stats.CountOf(0xc0392b) | Should -BeGreaterThan 1000
        $stats.CountOf(0xf59e0b) | Should -BeGreaterThan 1000
    }
}
