using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;

namespace OomTools.Engine.Tests.Reports;

/// <summary>
/// Hand-written OOM events made of real line shapes (copied from the fixtures), as the kernel text only: no
/// dmesg stamp or syslog prefix. The tests put whatever carrier they need in front.
/// </summary>
internal static class SampleReports
{
    public const string Header68 =
        "[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name";

    /// <summary>
    /// memcg-1000.log event 1 (6.18, cgroup v1, limit 163840 kB = 40960 pages, no swap), cut to three rows.
    /// Points by hand (adj factor 40960/1000 = 40): 9424: 4572 + 86016/4096 = 4593; 9433: 6110 + 24 + 929*40 =
    /// 43294; 9442: 27001 + 65 = 27066. The kernel chose 9433.
    /// </summary>
    public static readonly string[] EventA =
    {
        "python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
        "CPU: 1 UID: 0 PID: 9442 Comm: python3 Not tainted 6.18.44-fc-v657 #1 PREEMPT(none)",
        "memory: usage 163840kB, limit 163840kB, failcnt 71",
        "memory+swap: usage 163840kB, limit 9007199254740988kB, failcnt 0",
        "kmem: usage 720kB, limit 9007199254740988kB, failcnt 0",
        "Memory cgroup stats for /lab/oomlab-9382-1000:",
        "Tasks state (memory values in pages):",
        Header68,
        "[   9424]     0  9424     6143     4572     3366      950       256    86016        0             0 python3",
        "[   9433]     0  9433     9215     6110     5158      952         0    98304        0           929 python3",
        "[   9442]     0  9442    28671    27001    26054      947         0   266240        0             0 python3",
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/lab/oomlab-9382-1000,task_memcg=/lab/oomlab-9382-1000,task=python3,pid=9433,uid=0",
        "Memory cgroup out of memory: Killed process 9433 (python3) total-vm:36860kB, anon-rss:20632kB, file-rss:3808kB, shmem-rss:0kB, UID:0 pgtables:96kB oom_score_adj:929",
    };

    /// <summary>The next event of memcg-1000.log: 9433 is gone, the kernel chose 9442.</summary>
    public static readonly string[] EventB =
    {
        "python3 invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
        "CPU: 0 UID: 0 PID: 9442 Comm: python3 Not tainted 6.18.44-fc-v657 #1 PREEMPT(none)",
        "memory: usage 163036kB, limit 163840kB, failcnt 105",
        "memory+swap: usage 162788kB, limit 9007199254740988kB, failcnt 0",
        "kmem: usage 720kB, limit 9007199254740988kB, failcnt 0",
        "Memory cgroup stats for /lab/oomlab-9382-1000:",
        "Tasks state (memory values in pages):",
        Header68,
        "[   9424]     0  9424     6143     4572     3366      950       256    86016        0             0 python3",
        "[   9442]     0  9442    28671    27001    26054      947         0   266240        0             0 python3",
        "oom-kill:constraint=CONSTRAINT_MEMCG,nodemask=(null),cpuset=/,mems_allowed=0,oom_memcg=/lab/oomlab-9382-1000,task_memcg=/lab/oomlab-9382-1000,task=python3,pid=9442,uid=0",
        "Memory cgroup out of memory: Killed process 9442 (python3) total-vm:114684kB, anon-rss:104216kB, file-rss:3788kB, shmem-rss:0kB, UID:0 pgtables:260kB oom_score_adj:0",
    };

    /// <summary>The two lines of a report the rate limit suppressed, as 6.x prints them (Killed process is not limited).</summary>
    public const string RateLimitedKill =
        "Memory cgroup out of memory: Killed process 9424 (python3) total-vm:24572kB, anon-rss:13464kB, file-rss:3800kB, shmem-rss:1024kB, UID:0 pgtables:84kB oom_score_adj:0";

    /// <summary>Puts a dmesg stamp in front of every line, counting microseconds up from <paramref name="firstMicros"/>.</summary>
    public static string[] Dmesg(IEnumerable<string> lines, long firstMicros = 385_502_103)
    {
        long t = firstMicros;
        return lines.Select(l => Stamp(t++) + l).ToArray();
    }

    /// <summary><c>[%5lu.%06lu] </c></summary>
    public static string Stamp(long micros) =>
        string.Format(CultureInfo.InvariantCulture, "[{0,5}.{1:D6}] ", micros / 1_000_000, micros % 1_000_000);

    public static string[] Concat(params IEnumerable<string>[] parts) => parts.SelectMany(p => p).ToArray();

    public static string[] Replace(string[] lines, string from, string to) =>
        lines.Select(l => l.Replace(from, to, StringComparison.Ordinal)).ToArray();
}
