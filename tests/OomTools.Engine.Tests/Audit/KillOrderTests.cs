using System.Linq;
using OomTools.Engine.Audit;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Audit;

/// <summary>
/// OomAudit.KillOrder: OOM after OOM on a copy of the machine, each victim exiting (and freeing its rss, swap and
/// page tables) before the next OOM. The machine is <see cref="AuditMachines.Fleet"/>.
/// </summary>
public class KillOrderTests
{
    private static readonly OomRequest Global = new();

    [Fact]
    public void GlobalOrder_PointsKilledAndFreed_ByHand()
    {
        var m = AuditMachines.Fleet();

        var steps = OomAudit.KillOrder(m, Global, int.MaxValue);

        // 1: cache 550000, frees its 50000 anon pages.
        // 2: batch and batch-helper tie at 250000: the later, 31, is chosen; 30 shares its mm and dies with it.
        //    Their one mm frees 200000 + 50000 swap = 250000, counted once.
        // 3: web 120100, frees 100000 + 20000 + 409600/4096 = 100 page-table pages = 120100.
        // 4: batch-2 10000.  5: db -200000 (still killable: only -1000 is never), frees 300000.
        // Then only init, the kernel thread and the -1000 process are left: nothing more can be killed.
        Assert.Equal(new[] { 40, 31, 20, 70, 10 }, steps.Select(s => s.Pid).ToArray());
        Assert.Equal(new[] { 1, 2, 3, 4, 5 }, steps.Select(s => s.Step).ToArray());
        Assert.Equal(new[] { "cache", "batch-helper", "web", "batch-2", "db" }, steps.Select(s => s.Name).ToArray());
        Assert.Equal(new long?[] { 550000, 250000, 120100, 10000, -200000 }, steps.Select(s => s.Points).ToArray());
        Assert.Equal(new[] { 31, 30 }, steps[1].Killed.ToArray());
        Assert.All(steps.Where(s => s.Step != 2), s => Assert.Equal(new[] { s.Pid }, s.Killed.ToArray()));
        Assert.Equal(new long[] { 50000, 250000, 120100, 10000, 300000 }, steps.Select(s => s.Freed.Value).ToArray());
        Assert.Equal(new long[] { 50000, 300000, 420100, 430100, 730100 }, steps.Select(s => s.TotalFreed.Value).ToArray());
        Assert.Equal(new[] { "/", "/batch", "/", "/batch", "/" }, steps.Select(s => s.Cgroup).ToArray());
        Assert.Equal("#2 31 (batch-helper) freed 250000 pages", steps[1].ToString());
    }

    [Fact]
    public void MaxKills_StopsAfterThatManyOoms()
    {
        var m = AuditMachines.Fleet();

        var steps = OomAudit.KillOrder(m, Global, 2);

        Assert.Equal(new[] { 40, 31 }, steps.Select(s => s.Pid).ToArray());
        Assert.Equal(3, steps.Sum(s => s.Killed.Count));   // a step is one OOM, however many it killed
    }

    [Theory]
    [InlineData(1, 1)]          // 50000 freed after the first kill is already >= 1
    [InlineData(50000, 1)]
    [InlineData(50001, 2)]
    [InlineData(300000, 2)]     // 50000 + 250000 reaches it exactly
    [InlineData(300001, 3)]
    [InlineData(730100, 5)]
    [InlineData(10000000, 5)]   // more than can ever be freed: every killable process, then stop
    public void UntilFreed_StopsOnceThatManyPagesAreFree(long pages, int expectedSteps)
    {
        var m = AuditMachines.Fleet();

        var steps = OomAudit.KillOrder(m, Global, int.MaxValue, new Pages(pages));

        Assert.Equal(expectedSteps, steps.Count);
    }

    [Fact]
    public void MemcgDomain_OnlyKillsInsideTheCgroup()
    {
        var m = AuditMachines.Fleet();

        var steps = OomAudit.KillOrder(m, new OomRequest { Cgroup = "/batch" }, int.MaxValue);

        // /batch holds 30, 31 and 70; cache (550000 globally) is not in it. 31 wins the tie again, then 70; then the
        // cgroup has nothing left and the memcg OOM kills no one (it does not panic).
        Assert.Equal(new[] { 31, 70 }, steps.Select(s => s.Pid).ToArray());
        Assert.Equal(new[] { 31, 30 }, steps[0].Killed.ToArray());
        Assert.Equal(new long[] { 250000, 260000 }, steps.Select(s => s.TotalFreed.Value).ToArray());
        Assert.All(steps, s => Assert.Equal("/batch", s.Cgroup));
    }

    [Fact]
    public void OomKillAllocatingTask_KillsCurrentFirst_WithoutPoints()
    {
        var m = AuditMachines.Fleet();
        m.OomKillAllocatingTask = true;

        var steps = OomAudit.KillOrder(m, new OomRequest { CurrentPid = 20 }, 2);

        // vm.oom_kill_allocating_task: web (current) dies without a scan; Points is null. Once it has exited the
        // allocating context is a kernel worker, so the second OOM scans and takes cache.
        Assert.Equal(20, steps[0].Pid);
        Assert.Null(steps[0].Points);
        Assert.Equal(120100, steps[0].Freed.Value);
        Assert.Equal(40, steps[1].Pid);
        Assert.Equal(550000, steps[1].Points);
    }

    [Fact]
    public void TheMachineIsNotChanged()
    {
        var m = AuditMachines.Fleet();
        int logBefore = m.Log.Count;

        OomAudit.KillOrder(m, Global, int.MaxValue);
        OomAudit.KillOrder(m, new OomRequest { Cgroup = "/batch" }, 1);

        Assert.Equal(new[] { 1, 10, 20, 30, 31, 40, 50, 60, 70 }, m.Tasks.Pids());
        Assert.All(m.Tasks, t => Assert.False(t.IsOomVictim));
        Assert.All(m.Tasks, t => Assert.False(t.GroupExiting));
        Assert.Equal(0, m.OomKillCount);
        Assert.Equal(0, m.OomVictims);
        Assert.Null(m.PanicMessage);
        Assert.Equal(logBefore, m.Log.Count);
        Assert.Equal(0, m.GetCgroup("/batch").OomKillEvents);
        Assert.Equal(2, m.GetTask(30).Mm!.Users);
        // And the same run again gives the same answer.
        Assert.Equal(new[] { 40, 31, 20, 70, 10 }, OomAudit.KillOrder(m, Global, int.MaxValue).Select(s => s.Pid).ToArray());
    }

    [Fact]
    public void NothingKillable_GivesNoSteps()
    {
        var m = TestMachines.Machine(ram: 1_000_000);
        m.Add(1, anon: 100, name: "init");
        m.Add(2, anon: 5000, adj: -1000);

        Assert.Empty(OomAudit.KillOrder(m, Global, 10));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void LessThanOneKill_IsInvalidArgument(int kills)
    {
        var m = AuditMachines.Fleet();

        var ex = Assert.Throws<OomEngineException>(() => OomAudit.KillOrder(m, Global, kills));

        Assert.Equal(OomError.InvalidArgument, ex.Error);
    }
}
