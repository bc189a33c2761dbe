#Requires -Version 7.2
<#
.SYNOPSIS
    Measures Import-OomReport throughput on a ~100 MB journal holding 1,000 real OOM reports.
.DESCRIPTION
    Run by Invoke-Bench.ps1 in a fresh `dotnet pwsh -NoProfile` (a binary module cannot be unloaded).

    Not timed: a journal file is written to a temp folder. It holds -Events OOM events copied from the real reports
    in tests/fixtures/kernel-logs (every event of memcg/*.log, 44, and of public/*.log, 8, taken in turn, a public
    one every sixth), their original prefixes replaced: every other event gets syslog prefixes
    (`Mar  3 14:02:11 web01 kernel: `), the others dmesg stamps (`[1234567.123456] `), on one clock that only goes
    forward. Between the events: unrelated journal lines (systemd, sshd, cron, logind, NetworkManager, containerd,
    and kernel USB, network, bridge, firewall, audit and ext4 messages, a quarter of the lines, half of them with a
    dmesg stamp) up to -JournalMB (MB = 1,000,000 bytes). The events are carved out of the fixture files where
    the importer itself splits them, so the file must import as exactly -Events reports; a loud line says when
    it does not.

    Timed, after one untimed warm-up, median of -Runs:
      - `Import-OomReport -LiteralPath <file> | Measure-Object` (the figure);
      - the engine alone, in this process: the cmdlet's loop (StreamReader.ReadLine, OomReportParser.Feed,
        Complete) without PowerShell around it;
      - its pieces: reading the lines only; reading and LineNormalizer.Normalize (internal: called through a
        delegate); and a parse of the events alone (no unrelated lines): what Extract and the machine rebuild
        cost, against what the unrelated lines cost.
    Prints detail lines starting with '#' and, last, one line:
        import 100 MB journal, 1,000 events: X MB/s (N reports, median T s of 3), ratio R.RRx of goal (goal >= 50 MB/s)
    A figure, never a pass/fail: the exit code is 0 unless the measurement itself could not be made.

    -NoFiller (issue 13, row 5, "import"): the file holds only the events, as many as make -JournalMB, no unrelated
    lines; timed, alternating, median of -Runs after a warm-up of each: `Import-OomReport -LiteralPath <file> |
    Measure-Object` against bench/parse_oom_reports.py (a simple Python regex parser; python3, /usr/bin/python3
    first). Both must count the file's events; a loud line says when not. Goal: Import-OomReport at least 3x faster.
        import Import-OomReport, 100 MB of OOM reports: figure ...; ratio R.Rx faster; goal >= 3x faster — ...
#>
[CmdletBinding()]
param(
    [string]$ModulePath = (Join-Path $PSScriptRoot '../out/OomTools/OomTools.psd1'),
    [string]$FixturePath = (Join-Path $PSScriptRoot '../tests/fixtures/kernel-logs'),
    # Journal size in MB (1,000,000 bytes).
    [int]$JournalMB = 100,
    [int]$Events = 1000,
    [int]$Runs = 3,
    [double]$GoalMBPerSecond = 50,
    # Keep the temp folder (its path is printed) instead of removing it.
    [switch]$Keep,
    # Only OOM reports, no unrelated lines, against the Python parser (row 5 of issue 13); -Events is ignored.
    [switch]$NoFiller,
    [double]$GoalTimesPython = 3.0
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
. (Join-Path $PSScriptRoot 'Common.ps1')

Import-Module $ModulePath -Force
$engineDll = Join-Path (Split-Path (Get-Module OomTools).Path -Parent) 'OomTools.Engine.dll'

# The journal writer and the engine-alone timings: C# in this process, on the module's own engine assembly (a
# netstandard2.0 library, hence the netstandard reference).
Add-Type -ReferencedAssemblies $engineDll, 'netstandard', 'System.Text.Encoding.Extensions' -TypeDefinition @'
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Reflection;
using System.Text;
using OomTools.Engine.Reports;

namespace OomToolsBench
{
    public sealed class JournalStats
    {
        public long Bytes, EventBytes, Lines, EventLines, NoiseLines, KernelNoiseLines;
        public int Events, SyslogEvents, DmesgEvents;
    }

    public static class ImportBench
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
        private const string Host = "web01";
        private static readonly DateTime Boot = new DateTime(2025, 3, 2, 6, 41, 7, DateTimeKind.Unspecified);

        private delegate string NormalizeFn(string raw, out string stamp);
        private static NormalizeFn normalize;

        /// <summary>LineNormalizer.Normalize (internal to the engine), through a delegate.</summary>
        public static string Normalize(string raw)
        {
            if (normalize == null)
            {
                var type = typeof(OomReportParser).Assembly.GetType("OomTools.Engine.Reports.LineNormalizer", true);
                var method = type.GetMethod("Normalize", BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static);
                normalize = (NormalizeFn)Delegate.CreateDelegate(typeof(NormalizeFn), method);
            }
            string stamp;
            return normalize(raw, out stamp);
        }

        // ---- the journal ------------------------------------------------------------------------------------

        /// <summary>
        /// Writes <paramref name="events"/> (kernel texts without prefixes), event i from events[i % Count], spread
        /// evenly through unrelated journal lines up to <paramref name="targetBytes"/>; even events get syslog
        /// prefixes, odd ones dmesg stamps. When <paramref name="eventsOnlyPath"/> is given, the same events with the
        /// same prefixes and nothing else go there too.
        /// </summary>
        public static JournalStats Write(string path, string eventsOnlyPath, long targetBytes, IList<string[]> events, int count, int seed)
        {
            var rng = new Random(seed);
            var st = new JournalStats();
            var enc = new UTF8Encoding(false);
            double t = 1843.0;                      // seconds since boot
            int stampSecond = -1;
            string stampText = "";
            using (var w = new StreamWriter(path, false, enc, 1 << 20))
            using (var e = eventsOnlyPath == null ? null : new StreamWriter(eventsOnlyPath, false, enc, 1 << 20))
            {
                Func<string> syslog = () =>
                {
                    int s = (int)t;
                    if (s != stampSecond)
                    {
                        var d = Boot.AddSeconds(s);
                        stampText = d.ToString("MMM", Inv) + " " + d.Day.ToString(Inv).PadLeft(2) + " " + d.ToString("HH:mm:ss", Inv) + " " + Host + " ";
                        stampSecond = s;
                    }
                    return stampText;
                };
                Func<string> dmesg = () =>
                {
                    long us = (long)(t * 1e6);
                    return "[" + (us / 1000000).ToString(Inv).PadLeft(5) + "." + (us % 1000000).ToString("D6", Inv) + "] ";
                };
                var line = new StringBuilder(512);
                Action<StreamWriter, bool> put = (writer, isEvent) =>
                {
                    line.Append('\n');
                    var s = line.ToString();
                    writer.Write(s);
                    long n = enc.GetByteCount(s);
                    st.Bytes += n;
                    st.Lines++;
                    if (isEvent) { st.EventBytes += n; st.EventLines++; }
                    else st.NoiseLines++;
                    line.Clear();
                };

                for (int i = 0; i < count; i++)
                {
                    // Event i sits at (i + 0.5) / count of the file.
                    long at = (long)((i + 0.5) / count * targetBytes);
                    while (st.Bytes < at) { Noise(line, rng, ref t, syslog, dmesg, st); put(w, false); }
                    bool useSyslog = i % 2 == 0;
                    if (useSyslog) st.SyslogEvents++; else st.DmesgEvents++;
                    foreach (var text in events[i % events.Count])
                    {
                        t += 0.000004 + rng.NextDouble() * 0.00004;
                        string prefix = useSyslog ? syslog() + "kernel: " : dmesg();
                        if (e != null) e.Write(prefix + text + "\n");
                        line.Append(prefix).Append(text);
                        put(w, true);
                    }
                    st.Events++;
                    t += 0.05 + rng.NextDouble();
                }
                while (st.Bytes < targetBytes) { Noise(line, rng, ref t, syslog, dmesg, st); put(w, false); }
            }
            return st;
        }

        private static readonly string[] Users = { "alice", "bob", "deploy", "backup", "ci", "root" };
        private static readonly string[] Units = { "apt-daily.service", "logrotate.service", "man-db.service", "fstrim.service",
            "systemd-tmpfiles-clean.service", "certbot.service", "sysstat-collect.service", "motd-news.service" };
        private static readonly string[] Descriptions = { "Daily apt download activities", "Rotate log files", "Daily man-db regeneration",
            "Discard unused blocks on filesystems from /etc/fstab", "Cleanup of Temporary Directories", "Certbot",
            "system activity accounting tool", "Message of the Day" };
        private static readonly string[] Ifaces = { "eth0", "eth1", "ens3", "br0" };

        /// <summary>One unrelated journal line (without its newline) into <paramref name="b"/>.</summary>
        private static void Noise(StringBuilder b, Random r, ref double t, Func<string> syslog, Func<string> dmesg, JournalStats st)
        {
            t += r.NextDouble() * 4.0;
            int k = r.Next(100);
            if (k >= 75)
            {
                // A kernel message: half with the syslog prefix, half as dmesg prints it.
                st.KernelNoiseLines++;
                if (r.Next(2) == 0) b.Append(syslog()).Append("kernel: "); else b.Append(dmesg());
                KernelNoise(b, r);
                return;
            }
            b.Append(syslog());
            int pid = 1000 + r.Next(60000);
            string user = Users[r.Next(Users.Length)];
            int unit = r.Next(Units.Length);
            int session = 3000 + r.Next(9000);
            string ip = "203.0.113." + r.Next(1, 255).ToString(Inv);
            int port = 30000 + r.Next(30000);
            switch (k % 15)
            {
                case 0: b.Append("systemd[1]: Started session-").Append(session).Append(".scope - Session ").Append(session).Append(" of User ").Append(user).Append('.'); break;
                case 1: b.Append("systemd[1]: session-").Append(session).Append(".scope: Deactivated successfully."); break;
                case 2: b.Append("systemd[1]: Starting ").Append(Units[unit]).Append(" - ").Append(Descriptions[unit]).Append("..."); break;
                case 3: b.Append("systemd[1]: ").Append(Units[unit]).Append(": Consumed ").Append(r.Next(1, 900)).Append("ms CPU time, ").Append(r.Next(1, 90)).Append(".").Append(r.Next(10)).Append("M memory peak."); break;
                case 4: b.Append("systemd-logind[612]: New session ").Append(session).Append(" of user ").Append(user).Append('.'); break;
                case 5: b.Append("systemd-logind[612]: Session ").Append(session).Append(" logged out. Waiting for processes to exit."); break;
                case 6: b.Append("sshd[").Append(pid).Append("]: Accepted publickey for ").Append(user).Append(" from 10.0.").Append(r.Next(255)).Append('.').Append(r.Next(1, 255))
                        .Append(" port ").Append(port).Append(" ssh2: ED25519 SHA256:").Append(Convert.ToBase64String(Bytes(r, 32)).TrimEnd('=')); break;
                case 7: b.Append("sshd[").Append(pid).Append("]: pam_unix(sshd:session): session opened for user ").Append(user).Append("(uid=").Append(user == "root" ? 0 : 1000 + user.Length).Append(") by (uid=0)"); break;
                case 8: b.Append("sshd[").Append(pid).Append("]: Invalid user admin from ").Append(ip).Append(" port ").Append(port); break;
                case 9: b.Append("sshd[").Append(pid).Append("]: Connection closed by invalid user admin ").Append(ip).Append(" port ").Append(port).Append(" [preauth]"); break;
                case 10: b.Append("CRON[").Append(pid).Append("]: (root) CMD (   cd / && run-parts --report /etc/cron.hourly)"); break;
                case 11: b.Append("CRON[").Append(pid).Append("]: pam_unix(cron:session): session closed for user root"); break;
                case 12: b.Append("NetworkManager[741]: <info>  [").Append(1740897667 + (long)t).Append('.').Append(r.Next(10000).ToString("D4", Inv))
                         .Append("] dhcp4 (").Append(Ifaces[r.Next(2)]).Append("): state changed new lease, address=10.0.3.").Append(r.Next(2, 250)); break;
                case 13: b.Append("containerd[902]: time=\"").Append(Boot.AddSeconds(t).ToString("yyyy-MM-ddTHH:mm:ss.fffffff", Inv))
                         .Append("Z\" level=info msg=\"shim disconnected\" id=").Append(Hex(r, 32)).Append(" namespace=moby"); break;
                default: b.Append("systemd-timesyncd[540]: Contacted time server 185.125.190.").Append(r.Next(50, 60)).Append(":123 (ntp.ubuntu.com)."); break;
            }
        }

        private static void KernelNoise(StringBuilder b, Random r)
        {
            int dev = r.Next(2, 30);
            string port = "1-" + r.Next(1, 5).ToString(Inv);
            string veth = "veth" + Hex(r, 7);
            switch (r.Next(12))
            {
                case 0: b.Append("usb ").Append(port).Append(": new high-speed USB device number ").Append(dev).Append(" using xhci_hcd"); break;
                case 1: b.Append("usb ").Append(port).Append(": New USB device found, idVendor=0781, idProduct=5581, bcdDevice= 1.00"); break;
                case 2: b.Append("usb ").Append(port).Append(": USB disconnect, device number ").Append(dev); break;
                case 3: b.Append("usb-storage ").Append(port).Append(":1.0: USB Mass Storage device detected"); break;
                case 4: b.Append("e1000e 0000:00:1f.6 eth0: NIC Link is Up 1000 Mbps Full Duplex, Flow Control: Rx/Tx"); break;
                case 5: b.Append("IPv6: ADDRCONF(NETDEV_CHANGE): ").Append(veth).Append(": link becomes ready"); break;
                case 6: b.Append("docker0: port ").Append(r.Next(1, 9)).Append('(').Append(veth).Append(") entered forwarding state"); break;
                case 7: b.Append("docker0: port ").Append(r.Next(1, 9)).Append('(').Append(veth).Append(") entered disabled state"); break;
                case 8:
                case 9:
                    b.Append("[UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:fe:54:00:65:43:21:08:00 SRC=203.0.113.").Append(r.Next(1, 255))
                     .Append(" DST=10.0.3.21 LEN=").Append(40 + r.Next(20)).Append(" TOS=0x00 PREC=0x00 TTL=").Append(200 + r.Next(50))
                     .Append(" ID=").Append(r.Next(65536)).Append(" PROTO=TCP SPT=").Append(1024 + r.Next(60000)).Append(" DPT=").Append(r.Next(2) == 0 ? 23 : 3389)
                     .Append(" WINDOW=1024 RES=0x00 SYN URGP=0");
                    break;
                case 10:
                    b.Append("audit: type=1400 audit(").Append(1740897667 + r.Next(1000000)).Append('.').Append(r.Next(1000).ToString("D3", Inv)).Append(':').Append(r.Next(100000))
                     .Append("): apparmor=\"DENIED\" operation=\"open\" class=\"file\" profile=\"snap.firefox.firefox\" name=\"/proc/")
                     .Append(r.Next(1000, 60000)).Append("/oom_score_adj\" pid=").Append(r.Next(1000, 60000))
                     .Append(" comm=\"firefox\" requested_mask=\"r\" denied_mask=\"r\" fsuid=1000 ouid=1000");
                    break;
                default: b.Append("EXT4-fs (sda1): mounted filesystem ").Append(Hex(r, 8)).Append("-").Append(Hex(r, 4)).Append(" r/w with ordered data mode. Quota mode: none."); break;
            }
        }

        private static byte[] Bytes(Random r, int n) { var a = new byte[n]; r.NextBytes(a); return a; }

        private static string Hex(Random r, int n)
        {
            var c = new char[n];
            for (int i = 0; i < n; i++) c[i] = "0123456789abcdef"[r.Next(16)];
            return new string(c);
        }

        // ---- the engine alone -------------------------------------------------------------------------------

        /// <summary>Report.Lines summed over the reports of the last <see cref="Parse"/>.</summary>
        public static long LastReportLines;

        /// <summary>What Import-OomReport does with a file, without PowerShell: ReadLine, Feed, Complete.</summary>
        public static int Parse(string path)
        {
            var parser = new OomReportParser(path);
            int reports = 0;
            long lines = 0;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            using (var reader = new StreamReader(stream))
            {
                string line;
                while ((line = reader.ReadLine()) != null)
                    foreach (var r in parser.Feed(line)) { reports++; lines += r.Lines.Count; }
            }
            foreach (var r in parser.Complete()) { reports++; lines += r.Lines.Count; }
            LastReportLines = lines;
            return reports;
        }

        /// <summary>Reading the lines only, as the cmdlet reads them.</summary>
        public static long ReadLines(string path)
        {
            long n = 0;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            using (var reader = new StreamReader(stream))
            {
                string line;
                while ((line = reader.ReadLine()) != null) n += line.Length;
            }
            return n;
        }

        /// <summary>Reading and LineNormalizer.Normalize, the prefix stripping every line goes through.</summary>
        public static long ReadAndNormalize(string path)
        {
            long kernel = 0;
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
            using (var reader = new StreamReader(stream))
            {
                string line;
                while ((line = reader.ReadLine()) != null) if (Normalize(line) != null) kernel++;
            }
            return kernel;
        }

        public static double Seconds(Func<long> work, out long result)
        {
            var sw = Stopwatch.StartNew();
            result = work();
            return sw.Elapsed.TotalSeconds;
        }
    }
}
'@


# ---- the events, carved out of the fixtures where the importer splits them ------------------------------------
function Get-EventTexts([string]$file) {
    # Each event: the kernel lines (prefixes taken off by the engine's own LineNormalizer) from just after the
    # previous event's last line to its own last line; lines after the file's last event go with that event.
    $raw = [IO.File]::ReadAllLines($file)
    $reports = @(Import-OomReport -LiteralPath $file)
    $prevEnd = 0
    for ($i = 0; $i -lt $reports.Count; $i++) {
        $end = if ($i -eq $reports.Count - 1) { $raw.Count } else { ($reports[$i].Lines | Measure-Object -Property Number -Maximum).Maximum }
        $texts = [Collections.Generic.List[string]]::new()
        for ($n = $prevEnd; $n -lt $end; $n++) {
            $text = [OomToolsBench.ImportBench]::Normalize($raw[$n])
            if ($text) { $texts.Add($text) }
        }
        $prevEnd = $end
        , $texts.ToArray()
    }
}

$work = Join-Path ([IO.Path]::GetTempPath()) ("oomtools-importbench-" + [Guid]::NewGuid().ToString('N').Substring(0, 8))
$null = New-Item -ItemType Directory -Path $work
try {
    Write-Host "# import: PowerShell $($PSVersionTable.PSVersion), .NET $([Environment]::Version), $([Environment]::ProcessorCount) cpus, $(if ([Runtime.GCSettings]::IsServerGC) { 'server' } else { 'workstation' }) GC"
    $gen = [Diagnostics.Stopwatch]::StartNew()
    $memcg = @(Get-ChildItem -LiteralPath (Join-Path $FixturePath 'memcg') -Filter *.log | Sort-Object Name | ForEach-Object { Get-EventTexts $_.FullName })
    $public = @(Get-ChildItem -LiteralPath (Join-Path $FixturePath 'public') -Filter *.log | Sort-Object Name | ForEach-Object { Get-EventTexts $_.FullName })
    if ($memcg.Count -eq 0 -or $public.Count -eq 0) { throw "No OOM events found under $FixturePath (memcg: $($memcg.Count), public: $($public.Count))." }
    # One cycle: every fixture event once, a public one every sixth.
    $cycle = [Collections.Generic.List[string[]]]::new()
    $mi = 0; $pi = 0
    while ($mi -lt $memcg.Count -or $pi -lt $public.Count) {
        if (($cycle.Count % 6 -eq 5 -and $pi -lt $public.Count) -or $mi -ge $memcg.Count) { $cycle.Add($public[$pi++]) } else { $cycle.Add($memcg[$mi++]) }
    }
    if ($NoFiller) {
        # As many events as make -JournalMB: text bytes plus a prefix of 23 bytes a line on average (syslog 30, dmesg 16).
        $cycleBytes = 0L
        foreach ($ev in $cycle) { foreach ($text in $ev) { $cycleBytes += [Text.Encoding]::UTF8.GetByteCount($text) + 1 + 23 } }
        $count = [int][Math]::Ceiling([long]$JournalMB * 1000000 / ($cycleBytes / $cycle.Count))
        $reportsFile = Join-Path $work 'reports.log'
        $st = [OomToolsBench.ImportBench]::Write($reportsFile, [NullString]::Value, 0, $cycle, $count, 20250302)
        $gen.Stop()
        $mb = $st.Bytes / 1e6
        Write-Host ("# import: wrote {0} in {1:F1} s (not timed): {2:N0} bytes, {3:N0} lines, {4:N0} OOM reports ({5:N0} distinct), no other lines" -f `
            $reportsFile, $gen.Elapsed.TotalSeconds, $st.Bytes, $st.Lines, $st.Events, $cycle.Count)
        $python = @('/usr/bin/python3', (Get-Command python3 -CommandType Application -ErrorAction Ignore | Select-Object -First 1 -ExpandProperty Source)) |
            Where-Object { $_ -and (Test-Path -LiteralPath $_) } | Select-Object -First 1
        if (-not $python) { throw 'No python3: the Python parser, the baseline of this row, cannot run.' }
        $script = Join-Path $PSScriptRoot 'parse_oom_reports.py'
        $pyOut = ''
        $runPython = { $script:pyOut = & $python $script $reportsFile; if ($LASTEXITCODE) { throw "parse_oom_reports.py exited $LASTEXITCODE" } }
        $cmdletCount = 0
        $runCmdlet = { $script:cmdletCount = (Import-OomReport -LiteralPath $reportsFile | Measure-Object).Count }
        $null = & $runCmdlet; $null = & $runPython                # warm-up (and the file in the page cache)
        $cmdletRuns = [Collections.Generic.List[double]]::new()
        $pythonRuns = [Collections.Generic.List[double]]::new()
        for ($r = 0; $r -lt $Runs; $r++) {
            Invoke-Collect
            if ($r % 2) { $pythonRuns.Add((Measure-Seconds $runPython)); $cmdletRuns.Add((Measure-Seconds $runCmdlet)) }
            else { $cmdletRuns.Add((Measure-Seconds $runCmdlet)); $pythonRuns.Add((Measure-Seconds $runPython)) }
        }
        $pyReports = if ("$pyOut" -match '^reports (\d+)') { [int]$Matches[1] } else { -1 }
        Write-Host ("# import: Import-OomReport runs (s) {0}, {1:N0} reports; {2} parse_oom_reports.py runs (s) {3}: {4}" -f `
            (Format-Runs $cmdletRuns), $cmdletCount, $python, (Format-Runs $pythonRuns), $pyOut)
        $void = $null
        if ($cmdletCount -ne $st.Events -or $pyReports -ne $st.Events) {
            $void = 'REPORT COUNT MISMATCH'
            Write-Shout ("REPORT COUNT MISMATCH: the file holds {0:N0} reports, Import-OomReport gave {1:N0}, the Python parser {2:N0}" -f $st.Events, $cmdletCount, $pyReports)
        }
        $cmdletS = Get-Median $cmdletRuns
        $pythonS = Get-Median $pythonRuns
        $ratio = $pythonS / $cmdletS
        Format-Row ("import Import-OomReport, {0:N0} MB of OOM reports" -f $mb) `
            ("{0:F2} s ({1:F1} MB/s, {2:N0} reports), against the Python regex parser {3:F2} s ({4:F1} MB/s)" -f $cmdletS, ($mb / $cmdletS), $cmdletCount, $pythonS, ($mb / $pythonS)) `
            ("{0:F2}x faster" -f $ratio) (">= {0:0}x faster" -f $GoalTimesPython) ($ratio -ge $GoalTimesPython) $void
        return
    }
    $journal = Join-Path $work 'journal.log'
    $eventsOnly = Join-Path $work 'events-only.log'
    $st = [OomToolsBench.ImportBench]::Write($journal, $eventsOnly, [long]$JournalMB * 1000000, $cycle, $Events, 20250302)
    $gen.Stop()
    $mb = $st.Bytes / 1e6
    Write-Host ("# import: wrote {0} in {1:F1} s (not timed): {2:N0} bytes, {3:N0} lines; {4:N0} events ({5:N0} distinct from {6} memcg + {7} public; {8:N0} with syslog prefixes, {9:N0} with dmesg stamps) in {10:N0} lines, {11:N0} bytes; {12:N0} unrelated lines, {13:N0} of them kernel messages" -f `
        $journal, $gen.Elapsed.TotalSeconds, $st.Bytes, $st.Lines, $st.Events, $cycle.Count, $memcg.Count, $public.Count, $st.SyslogEvents, $st.DmesgEvents, $st.EventLines, $st.EventBytes, $st.NoiseLines, $st.KernelNoiseLines)

    # ---- the cmdlet ------------------------------------------------------------------------------------------
    # Warm-up, untimed and full size: JIT, tiered compilation, the regexes' compiled code, the file in the page cache.
    $null = Import-OomReport -LiteralPath $journal | Measure-Object
    $seconds = [Collections.Generic.List[double]]::new()
    $counts = [Collections.Generic.List[int]]::new()
    for ($r = 0; $r -lt $Runs; $r++) {
        Invoke-Collect
        $sw = [Diagnostics.Stopwatch]::StartNew()
        $m = Import-OomReport -LiteralPath $journal | Measure-Object
        $sw.Stop()
        $seconds.Add($sw.Elapsed.TotalSeconds)
        $counts.Add($m.Count)
    }
    $median = Get-Median $seconds
    $reports = $counts[0]
    Write-Host ("# import: Import-OomReport runs (s) {0}; reports per run {1}" -f (Format-Runs $seconds), (($counts | Select-Object -Unique) -join ', '))

    # ---- the engine alone and its pieces, same process ---------------------------------------------------------
    function Measure-Piece([scriptblock]$work, [int]$n) {
        $null = & $work                                  # warm-up
        $t = [Collections.Generic.List[double]]::new()
        $result = $null
        for ($i = 0; $i -lt $n; $i++) {
            Invoke-Collect
            $sw = [Diagnostics.Stopwatch]::StartNew()
            $result = & $work
            $sw.Stop()
            $t.Add($sw.Elapsed.TotalSeconds)
        }
        [pscustomobject]@{ Median = (Get-Median $t); Runs = $t; Result = $result }
    }
    $engine = Measure-Piece { [OomToolsBench.ImportBench]::Parse($journal) } $Runs
    $journalReportLines = [OomToolsBench.ImportBench]::LastReportLines
    $read = Measure-Piece { [OomToolsBench.ImportBench]::ReadLines($journal) } $Runs
    $norm = Measure-Piece { [OomToolsBench.ImportBench]::ReadAndNormalize($journal) } $Runs
    $evOnly = Measure-Piece { [OomToolsBench.ImportBench]::Parse($eventsOnly) } $Runs
    $eventsReportLines = [OomToolsBench.ImportBench]::LastReportLines
    $evBytes = (Get-Item -LiteralPath $eventsOnly).Length

    Write-Host ("# import: engine alone (ReadLine + OomReportParser.Feed, no PowerShell): {0:F3} s median of {1} ({2}), {3:F1} MB/s, {4:N0} reports; the cmdlet adds {5:F3} s ({6:F0}%)" -f `
        $engine.Median, $Runs, (Format-Runs $engine.Runs), ($mb / $engine.Median), $engine.Result, ($median - $engine.Median), (100 * ($median - $engine.Median) / $median))
    Write-Host ("# import: pieces: reading the lines {0:F3} s ({1:F0} MB/s); reading + LineNormalizer.Normalize {2:F3} s ({3:N0} kernel lines); so normalizing {4:F3} s, the rest of Feed (Handle, Extract, machine rebuild) {5:F3} s" -f `
        $read.Median, ($mb / $read.Median), $norm.Median, $norm.Result, ($norm.Median - $read.Median), ($engine.Median - $norm.Median))
    Write-Host ("# import: the {0:N0} events alone ({1:N1} MB, no unrelated lines): {2:F3} s, {3:F2} ms an event; so the {4:N0} unrelated lines cost about {5:F3} s ({6:F2} us a line)" -f `
        $st.Events, ($evBytes / 1e6), $evOnly.Median, ($evOnly.Median * 1000 / $st.Events), $st.NoiseLines, ($engine.Median - $evOnly.Median), (($engine.Median - $evOnly.Median) * 1e6 / $st.NoiseLines))

    $note = if ($journalReportLines -gt $eventsReportLines) { ': each report also keeps the unrelated kernel lines after it, up to the next event' } else { '' }
    Write-Host ("# import: the reports' Lines: {0:N0} ({1:N1} a report); from the events alone {2:N0} ({3:N1}){4}" -f `
        $journalReportLines, ($journalReportLines / [Math]::Max(1, $engine.Result)), $eventsReportLines, ($eventsReportLines / [Math]::Max(1, $evOnly.Result)), $note)

    foreach ($got in @($reports, $engine.Result, $evOnly.Result)) {
        if ($got -ne $Events) {
            Write-Host '#'
            Write-Host '# !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!'
            Write-Host ("# !!! REPORT COUNT MISMATCH: the journal holds {0:N0} events, the import gave {1:N0} reports (cmdlet {2:N0}, engine {3:N0}, events only {4:N0}) !!!" -f $Events, $got, $reports, $engine.Result, $evOnly.Result)
            Write-Host '# !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!'
            break
        }
    }

    $rate = $mb / $median
    'import {0:N0} MB journal, {1:N0} events: {2:F1} MB/s ({3:N0} reports, median {4:F2} s of {5}), ratio {6:F2}x of goal (goal >= {7:0.#} MB/s)' -f `
        $JournalMB, $Events, $rate, $reports, $median, $Runs, ($rate / $GoalMBPerSecond), $GoalMBPerSecond
} finally {
    if ($Keep) { Write-Host "# import: kept $work" } else { Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue }
}
