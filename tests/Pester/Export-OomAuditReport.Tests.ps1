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

    # A minimal PNG reader for the screenshot test: 8-bit RGB or RGBA, non-interlaced (what Chromium writes).
    if (-not ('OomToolsTests.PngProbe' -as [type])) {
        Add-Type -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace OomToolsTests
{
    public sealed class PngStats
    {
        public int Width, Height, DistinctColours, NonWhitePixels;
        public Dictionary<int, int> Counts = new Dictionary<int, int>();
        public int CountOf(int rgb) { int n; return Counts.TryGetValue(rgb, out n) ? n : 0; }
    }

    public static class PngProbe
    {
        public static PngStats Read(string path)
        {
            byte[] b = File.ReadAllBytes(path);
            byte[] sig = { 137, 80, 78, 71, 13, 10, 26, 10 };
            for (int i = 0; i < 8; i++) if (b[i] != sig[i]) throw new InvalidDataException("not a PNG file");
            int pos = 8, w = 0, h = 0, depth = 0, type = 0, interlace = 0;
            var idat = new MemoryStream();
            while (pos + 8 <= b.Length)
            {
                int len = (b[pos] << 24) | (b[pos + 1] << 16) | (b[pos + 2] << 8) | b[pos + 3];
                string kind = Encoding.ASCII.GetString(b, pos + 4, 4);
                int data = pos + 8;
                if (kind == "IHDR")
                {
                    w = (b[data] << 24) | (b[data + 1] << 16) | (b[data + 2] << 8) | b[data + 3];
                    h = (b[data + 4] << 24) | (b[data + 5] << 16) | (b[data + 6] << 8) | b[data + 7];
                    depth = b[data + 8]; type = b[data + 9]; interlace = b[data + 12];
                }
                else if (kind == "IDAT") idat.Write(b, data, len);
                else if (kind == "IEND") break;
                pos = data + len + 4;
            }
            if (depth != 8 || (type != 2 && type != 6) || interlace != 0)
                throw new InvalidDataException("PNG with bit depth " + depth + ", colour type " + type + ", interlace " + interlace + " is not handled");
            int bpp = type == 6 ? 4 : 3, stride = w * bpp;
            byte[] raw = new byte[(stride + 1) * h];
            idat.Position = 0;
            using (var z = new ZLibStream(idat, CompressionMode.Decompress))
            {
                int read = 0, n;
                while (read < raw.Length && (n = z.Read(raw, read, raw.Length - read)) > 0) read += n;
                if (read != raw.Length) throw new InvalidDataException("IDAT holds " + read + " bytes, not " + raw.Length);
            }
            var stats = new PngStats { Width = w, Height = h };
            byte[] prev = new byte[stride], cur = new byte[stride];
            for (int y = 0; y < h; y++)
            {
                int f = raw[y * (stride + 1)];
                Buffer.BlockCopy(raw, y * (stride + 1) + 1, cur, 0, stride);
                for (int x = 0; x < stride; x++)
                {
                    int a = x >= bpp ? cur[x - bpp] : 0, up = prev[x], c = x >= bpp ? prev[x - bpp] : 0;
                    int v = cur[x];
                    switch (f)
                    {
                        case 0: break;
                        case 1: v += a; break;
                        case 2: v += up; break;
                        case 3: v += (a + up) / 2; break;
                        case 4:
                            int p = a + up - c, pa = Math.Abs(p - a), pb = Math.Abs(p - up), pc = Math.Abs(p - c);
                            v += pa <= pb && pa <= pc ? a : pb <= pc ? up : c;
                            break;
                        default: throw new InvalidDataException("unknown PNG filter " + f);
                    }
                    cur[x] = (byte)v;
                }
                for (int x = 0; x < w; x++)
                {
                    int r = cur[x * bpp], g = cur[x * bpp + 1], bl = cur[x * bpp + 2];
                    int rgb = (r << 16) | (g << 8) | bl;
                    int count;
                    stats.Counts[rgb] = stats.Counts.TryGetValue(rgb, out count) ? count + 1 : 1;
                    if (r < 245 || g < 245 || bl < 245) stats.NonWhitePixels++;
                }
                var t = prev; prev = cur; cur = t;
            }
            stats.DistinctColours = stats.Counts.Count;
            return stats;
        }
    }
}
'@
    }
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
        $browser = Get-Command chromium, chromium-browser -CommandType Application -ErrorAction Ignore | Select-Object -First 1
        if (-not $browser) {
            Set-ItResult -Skipped -Because 'chromium is not installed here (.ci/run installs it with apt-get install chromium); the screenshot check needs it'
            return
        }
        $big = New-AuditHost -Name 'screenshot-host'
        foreach ($i in 1..12) { Add-OomTask -Machine $big -Pid (1000 + $i) -Name "worker-$i" -AnonRss ($i * 64MB) -Cgroup /app | Out-Null }
        $html = Join-Path $dir 'screenshot.html'
        $png = Join-Path $dir 'screenshot.png'
        Export-OomAuditReport -Machine $big -Path $html -Critical postgres, redis -Kills 3
        $profileDir = Join-Path $dir "chromium-profile-$([guid]::NewGuid().ToString('N'))"
        $null = New-Item -ItemType Directory -Path $profileDir

        $psi = [System.Diagnostics.ProcessStartInfo]::new($browser.Source)
        foreach ($a in '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
            '--disable-component-update', '--disable-sync', "--user-data-dir=$profileDir", "--screenshot=$png", '--window-size=1200,900',
            [System.Uri]::new($html, [System.UriKind]::Absolute).AbsoluteUri) { $psi.ArgumentList.Add($a) }
        $psi.RedirectStandardOutput = $true
        $psi.RedirectStandardError = $true
        $psi.UseShellExecute = $false
        $p = [System.Diagnostics.Process]::Start($psi)
        $stdout = $p.StandardOutput.ReadToEndAsync()
        $stderr = $p.StandardError.ReadToEndAsync()
        if (-not $p.WaitForExit(120000)) { try { $p.Kill($true) } catch { }; throw "chromium did not finish in 120 s: $($stderr.Result)" }
        $p.WaitForExit()
        Test-Path -LiteralPath $png | Should -BeTrue -Because "chromium exited $($p.ExitCode):`n$($stdout.Result)`n$($stderr.Result)"

        $stats = [OomToolsTests.PngProbe]::Read($png)
        $stats.Width | Should -Be 1200
        $stats.Height | Should -Be 900
        # A blank page is one colour; text, tables and bars make hundreds.
        $stats.DistinctColours | Should -BeGreaterThan 100
        $stats.NonWhitePixels | Should -BeGreaterThan (1200 * 900 / 20)
        # The bars were drawn: the first victim's red (#c0392b) and the other processes' amber (#f59e0b).
        $stats.CountOf(0xc0392b) | Should -BeGreaterThan 1000
        $stats.CountOf(0xf59e0b) | Should -BeGreaterThan 1000
    }
}
