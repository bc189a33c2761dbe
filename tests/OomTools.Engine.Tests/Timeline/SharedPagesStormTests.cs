using System.Collections.Generic;
using System.IO;
using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Proc;
using OomTools.Engine.Reports;
using OomTools.Engine.Tests.Reports;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Timeline;

/// <summary>
/// Storms of holders forked from a parent outside the OOM's memory cgroup (tests/fixtures/kernel-logs/shapes,
/// Linux 6.18.44, cgroup v1, made by the lab's cowfork-storm shape). Each holder's rss_anon counts the parent's
/// pages it still shares copy-on-write; they are charged to the parent's cgroup, so killing a holder gives the
/// OOM's cgroup back only its own pages. Played forward from the first report (as StormReplayTests does), the
/// model that frees each holder's whole rss kills too few; told what the host's snapshot showed before the run —
/// each holder's smaps_rollup (Anonymous - Private_Dirty is shared) and its parent (PPid, cgroup, VmRSS) — it kills
/// the kernel's sequence. The numbers below are that snapshot's, written out by hand; the report is not changed.
/// </summary>
public class SharedPagesStormTests
{
    private static string Shapes => Path.Combine(ReportInput.FixturesRoot, "shapes");

    // sharingFromStats: false is the machine the rows alone describe, before the stat lines' inference.
    private static (int[] Kernel, OomMachine Machine, int Trigger) Load(string file, bool sharingFromStats = false)
    {
        var parser = new OomReportParser(file) { InferSharingFromStats = sharingFromStats };
        var reports = new List<OomReport>();
        foreach (var line in File.ReadLines(Path.Combine(Shapes, file))) reports.AddRange(parser.Feed(line));
        reports.AddRange(parser.Complete());
        return (reports.SelectMany(r => r.KilledPids).ToArray(), reports[0].Machine!.Clone(), reports[0].TriggerPid!.Value);
    }

    private static int[] Play(OomMachine machine, int trigger)
    {
        var task = machine.GetTask(trigger);
        var outcomes = new List<OomOutcome>();
        var result = ChargeResult.Charged;
        for (int i = 0; i < 100_000 && result == ChargeResult.Charged; i++)
            result = machine.PageAllocator.Charge(task, new Pages(16), outcomes);
        return outcomes.SelectMany(o => o.Killed).Select(t => t.Pid).ToArray();
    }

    /// <summary>The parent, in its own cgroup outside the OOM's, and the children that still share its pages.</summary>
    private static void Forked(OomMachine m, int parent, string cgroup, long parentAnonPages, long sharedPages, params int[] children)
    {
        m.GetOrCreateCgroup(cgroup);
        m.AddTask(new OomTaskSpec { Pid = parent, Name = "cowparent", Cgroup = cgroup, AnonPages = new Pages(parentAnonPages) });
        foreach (var child in children)
            m.UpdateTask(m.GetTask(child), new OomTaskUpdate
            {
                Shared = { new SharedMapping { Kind = SharedMemoryKind.CowAnon, With = parent, Pages = new Pages(sharedPages) } },
            });
    }

    [Fact]
    public void TwoParents_SixKills()
    {
        var (kernel, m, trigger) = Load("cowfork-storm-1003.log");
        Assert.Equal(new[] { 30761, 30756, 30748, 30759, 30753, 30766 }, kernel);
        // Without the sharing each kill frees ~19,700 pages: three kills do.
        Assert.Equal(new[] { 30761, 30756, 30766 }, Play(m.Clone(), trigger));

        // smaps_rollup: the children of 30737 have Anonymous 67684 kB, Private_Dirty 4144 kB (15885 pages shared);
        // those of 30755 78948 kB and 6192 kB (18189 pages). The parents' VmRSS anon: 63584 kB and 72800 kB.
        Forked(m, 30737, "/lab/oomlab-29782-cowfork-storm-1003-outside", 15896, 15885, 30747, 30748, 30749, 30751, 30753);
        Forked(m, 30755, "/lab/oomlab-29782-cowfork-storm-1003-outside", 18200, 18189, 30756, 30757, 30759, 30760, 30761);

        Assert.Equal(kernel, Play(m, trigger));
    }

    [Fact]
    public void EightChildrenOfOneParent_FourKills()
    {
        var (kernel, m, trigger) = Load("cowfork-storm-1007.log");
        Assert.Equal(new[] { 31679, 31678, 31673, 31680 }, kernel);
        Assert.Equal(new[] { 31679, 31678, 31680 }, Play(m.Clone(), trigger));

        // Anonymous 112740 kB, Private_Dirty 1076 kB: 27916 pages of each child are its parent's; parent 111712 kB.
        Forked(m, 31671, "/lab/oomlab-29782-cowfork-storm-1007-outside", 27928, 27916, 31672, 31673, 31674, 31675, 31676, 31677, 31678, 31679);

        Assert.Equal(kernel, Play(m, trigger));
    }

    [Fact]
    public void EightChildrenOfOneParent_TheStatLinesAlone_FourKills()
    {
        // The report's own stat lines (total_rss far below the rows' rss_anon) give the copy-on-write pool without
        // the snapshot: the storm kills the kernel's sequence.
        var (kernel, m, trigger) = Load("cowfork-storm-1007.log", sharingFromStats: true);
        Assert.Contains(m.Shared, s => s.Kind == SharedMemoryKind.CowAnon && s.Memcg.Path == "/");
        Assert.Equal(kernel, Play(m, trigger));
    }

    [Theory]
    [InlineData("cowfork-storm-5002.log")]
    [InlineData("cowfork-storm-5005.log")]
    [InlineData("cowfork-storm-5007.log")]
    public void TwoFamilies_TheStatLinesAlone_KillTheKernelsSequence(string file)
    {
        // Two parents outside, each with children of one total_vm: one copy-on-write pool per family. Without the
        // stat lines' inference each kill frees a child's whole rss and the grower dies kills too early.
        var (kernel, m, trigger) = Load(file, sharingFromStats: true);
        Assert.True(m.Shared.Count(s => s.Kind == SharedMemoryKind.CowAnon && s.Memcg.Path == "/") >= 2);
        Assert.Equal(kernel, Play(m, trigger));
        var (_, plain, _) = Load(file);
        Assert.NotEqual(kernel, Play(plain, trigger));
    }

    [Fact]
    public void SiblingsWithDifferentAdj_AreNotOneMm_TheirFamiliesShareCopyOnWrite()
    {
        // cowfork-storm-6003: two families of identical rows (5 and 7 children) with oom_score_adj 0, 406 and 1000
        // among them. Counted once per identical set they would match total_rss, but a write to oom_score_adj
        // reaches every process of an mm, so they are separate mms: each family shares a pool with its parent.
        var (kernel, m, trigger) = Load("cowfork-storm-6003.log", sharingFromStats: true);
        Assert.Equal(2, m.Shared.Count(s => s.Kind == SharedMemoryKind.CowAnon && s.Memcg.Path == "/"));
        Assert.Equal(kernel, Play(m, trigger));
    }

    [Fact]
    public void OneFamilyAndAGrowerOfTheSameName_TheGrowerIsNotInThePool()
    {
        // cowfork-storm-6300: eight identical children of one parent outside and a grower exec'd from the same
        // binary (same name, more anon). The family holds the excess alone; a pool over every "holder" row with
        // enough anon would take the grower in and leave each child five times the private pages it has.
        var (kernel, m, trigger) = Load("cowfork-storm-6300.log", sharingFromStats: true);
        var pool = Assert.Single(m.Shared);
        Assert.DoesNotContain(trigger, pool.MapperPids);
        Assert.Equal(8, pool.MapperPids.Count);
        Assert.Equal(kernel, Play(m, trigger));
    }

    [Fact]
    public void SiblingsSideBySide_AreNotTakenForAParentAndItsTwin()
    {
        // cowfork-storm-7706: 18339 and 18340 are alike (one name, adj 1000, anon) and 18340 prints four file pages
        // fewer, but they sit in a run of five such rows of one total_vm: siblings of one family, not a parent and
        // its idle child. Each kill frees a child's own 512 pages.
        var (kernel, m, trigger) = Load("cowfork-storm-7706.log", sharingFromStats: true);
        Assert.DoesNotContain(m.Shared, s => s.Name == "cow:18339");
        Assert.Equal(kernel, Play(m, trigger));
    }
}
