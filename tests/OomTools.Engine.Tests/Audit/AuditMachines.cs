using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Tests.Audit;

/// <summary>The machine the audit tests share. Only inputs: every expectation is worked out in the tests.</summary>
internal static class AuditMachines
{
    /// <summary>
    /// 1000000 pages of RAM, no swap: totalpages = 1000000, one point of oom_score_adj = 1000 pages. Task list
    /// (fork order) and global points:
    /// <code>
    ///   1 init          100 anon                            global init: never
    ///  10 db            300000 anon, adj -500               300000 - 500000 = -200000
    ///  20 web           100000 anon + 20000 file + 100 pgt  120100
    ///  30 batch         200000 anon + 50000 swap  (/batch)  250000
    ///  31 batch-helper  shares 30's mm            (/batch)  250000 (the later of the tie)
    ///  40 cache         50000 anon, adj 500                 50000 + 500000 = 550000
    ///  50 kworker       kernel thread                       never
    ///  60 pinned        90000 anon, adj -1000               never
    ///  70 batch-2       10000 anon                (/batch)  10000
    /// </code>
    /// /batch has memory.max 262144 pages (1 GiB): in a memcg OOM there one adj point is 262 pages.
    /// </summary>
    public static OomMachine Fleet()
    {
        var m = TestMachines.Machine(ram: 1_000_000);
        m.CreateCgroup("/batch", memoryMax: new Pages(262144));
        m.Add(1, anon: 100, name: "init");
        m.Add(10, anon: 300000, adj: -500, name: "db");
        m.Add(20, anon: 100000, file: 20000, pgtables: 409600, name: "web");
        m.Add(30, anon: 200000, swap: 50000, name: "batch", cgroup: "/batch");
        m.AddSharer(31, 30, name: "batch-helper", with: s => s.Cgroup = "/batch");
        m.Add(40, anon: 50000, adj: 500, name: "cache");
        m.Add(50, name: "kworker", with: s => s.KernelThread = true);
        m.Add(60, anon: 90000, adj: -1000, name: "pinned");
        m.Add(70, anon: 10000, name: "batch-2", cgroup: "/batch");
        return m;
    }
}
