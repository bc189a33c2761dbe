using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Log;
using OomTools.Engine.Model;
using OomTools.Engine.Time;
using OomTools.Engine.Units;

namespace OomTools.Engine.Tests;

/// <summary>
/// Small builders shared by the test files. They only assemble inputs; no expected value is ever
/// computed here (every expectation in the tests is written out by hand).
/// </summary>
internal static class TestMachines
{
    /// <summary>100 s after boot, so jiffies are well away from 0.</summary>
    public const long BootNs = 100_000_000_000;

    public static OomMachine Machine(long ram = 1_000_000, long swap = 0, CgroupVersion cgroups = CgroupVersion.V2,
        ManualClock? clock = null, long[]? nodes = null, int pageSize = 4096)
    {
        var nodeSizes = nodes?.Select(n => new Pages(n)).ToList();
        return new OomMachine(new Pages(ram), new Pages(swap), pageSize, nodeSizes, "test", cgroups,
            clock ?? new ManualClock(BootNs));
    }

    public static OomTask Add(this OomMachine m, int pid, long anon = 0, long file = 0, long shmem = 0, long swap = 0,
        long pgtables = 0, int adj = 0, string? name = null, string? cgroup = null, Action<OomTaskSpec>? with = null)
    {
        var spec = new OomTaskSpec
        {
            Pid = pid,
            Name = name ?? "task" + pid.ToString(CultureInfo.InvariantCulture),
            AnonPages = new Pages(anon),
            FilePages = new Pages(file),
            ShmemPages = new Pages(shmem),
            SwapEntries = new Pages(swap),
            PageTableBytes = pgtables,
            OomScoreAdj = OomScoreAdj.From(adj),
            Cgroup = cgroup,
        };
        with?.Invoke(spec);
        return m.AddTask(spec);
    }

    /// <summary>A process sharing <paramref name="owner"/>'s mm (CLONE_VM without CLONE_THREAD).</summary>
    public static OomTask AddSharer(this OomMachine m, int pid, int owner, string? name = null, int adj = 0,
        Action<OomTaskSpec>? with = null)
    {
        var spec = new OomTaskSpec
        {
            Pid = pid,
            Name = name ?? "task" + pid.ToString(CultureInfo.InvariantCulture),
            SharesMemoryWith = owner,
            OomScoreAdj = OomScoreAdj.From(adj),
        };
        with?.Invoke(spec);
        return m.AddTask(spec);
    }

    public static OomControl Global(OomTask? current = null, uint gfp = GfpMask.GFP_KERNEL, int order = 0,
        NodeMask? nodemask = null) =>
        new() { Current = current, GfpMask = new GfpMask(gfp), Order = order, Nodemask = nodemask, RecordCandidates = true };

    public static OomControl Sysrq() =>
        new() { Current = null, GfpMask = new GfpMask(GfpMask.GFP_KERNEL), Order = -1, RecordCandidates = true };

    public static OomControl ForMemcg(MemoryCgroup memcg, OomTask? current = null, uint gfp = GfpMask.GFP_KERNEL) =>
        new() { Memcg = memcg, Current = current, GfpMask = new GfpMask(gfp), Order = 0, RecordCandidates = true };

    public static string[] Texts(this OomOutcome o) => o.Log.Select(e => e.Text).ToArray();

    public static string[] Texts(this IEnumerable<KernelLogEntry> log) => log.Select(e => e.Text).ToArray();

    public static int[] Pids(this IEnumerable<OomTask> tasks) => tasks.Select(t => t.Pid).ToArray();

    public static bool AnyLineContains(this OomOutcome o, string fragment) =>
        o.Log.Any(e => e.Text.Contains(fragment, StringComparison.Ordinal));

    /// <summary>
    /// Builds tasks from a compact description: space-separated <c>pid:rss:adj[:flag+flag]</c>, rss as anonymous
    /// pages. Flags: init, notinit, kthread, detached, leaderdetached, vfork, oomskip, victim, origin, exiting,
    /// groupexit, coredump, swap=N, pgt=N (bytes), file=N, shmem=N.
    /// </summary>
    public static void AddFromTable(this OomMachine m, string tasks, string? cgroup = null)
    {
        foreach (var item in tasks.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = item.Split(':');
            int pid = int.Parse(parts[0], CultureInfo.InvariantCulture);
            long rss = long.Parse(parts[1], CultureInfo.InvariantCulture);
            int adj = int.Parse(parts[2], CultureInfo.InvariantCulture);
            var flags = parts.Length > 3 ? parts[3].Split('+') : Array.Empty<string>();
            m.Add(pid, anon: rss, adj: adj, cgroup: cgroup, with: s => ApplyFlags(s, flags));
        }
    }

    public static void ApplyFlags(OomTaskSpec s, IEnumerable<string> flags)
    {
        foreach (var f in flags)
        {
            var kv = f.Split('=');
            switch (kv[0])
            {
                case "": break;
                case "init": s.GlobalInit = true; break;
                case "notinit": s.GlobalInit = false; break;
                case "kthread": s.KernelThread = true; s.AnonPages = Pages.Zero; break;
                case "detached": s.Threads = 2; s.DetachedThreads = 2; break;
                case "leaderdetached": s.Threads = 2; s.DetachedThreads = 1; break;
                case "vfork": s.InVfork = true; break;
                case "oomskip": s.OomSkip = true; break;
                case "victim": s.OomVictim = true; break;
                case "origin": s.OomOrigin = true; break;
                case "exiting": s.Exiting = true; break;
                case "groupexit": s.GroupExiting = true; break;
                case "coredump": s.CoreDumping = true; break;
                case "swap": s.SwapEntries = new Pages(long.Parse(kv[1], CultureInfo.InvariantCulture)); break;
                case "pgt": s.PageTableBytes = long.Parse(kv[1], CultureInfo.InvariantCulture); break;
                case "file": s.FilePages = new Pages(long.Parse(kv[1], CultureInfo.InvariantCulture)); break;
                case "shmem": s.ShmemPages = new Pages(long.Parse(kv[1], CultureInfo.InvariantCulture)); break;
                default: throw new ArgumentException("unknown test flag " + f);
            }
        }
    }
}
