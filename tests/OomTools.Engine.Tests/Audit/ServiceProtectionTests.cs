using System.Linq;
using OomTools.Engine.Audit;
using Xunit;

namespace OomTools.Engine.Tests.Audit;

/// <summary>
/// A service assessed as one (OomProtection.AssessService), the domain of a unit's cgroup (ServiceDomain) and the
/// sentences of a failed check (ProtectionVerdict), on <see cref="AuditMachines.Fleet"/>. Global kill order:
/// cache (1), batch-helper with batch (2, one mm), web (3), batch-2 (4), db (5).
/// </summary>
public class ServiceProtectionTests
{
    private static readonly OomRequest Global = new();

    [Fact]
    public void AService_IsOneRow_ForTheFirstOfItsProcessesToDie()
    {
        var m = AuditMachines.Fleet();
        var tasks = new[] { m.GetTask(30), m.GetTask(31), m.GetTask(70) };

        var r = OomProtection.AssessService(m, "/batch", tasks, Global, kills: 1);

        Assert.Equal("/batch", r.Service);
        Assert.Equal(3, r.ProcessCount);
        Assert.Equal(new[] { 30, 31, 70 }, r.Processes.Select(p => p.Pid).ToArray());
        Assert.All(r.Processes, p => Assert.Equal("/batch", p.Service));
        Assert.Equal(30, r.Pid);                  // batch and batch-helper die together in OOM #2; batch is first in the list
        Assert.Equal(2, r.KillPosition);
        Assert.True(r.Protected);                 // nobody of /batch dies in the first OOM
        Assert.Equal("global", r.Domain);
    }

    // All three at adj a: batch (250000 + 1000a) must stay below web's 120100 for two kills; web is earlier in the
    // list, so a tie would go to batch: 250000 + 1000a < 120100 -> a <= -130.
    [Fact]
    public void AServicesSafeAdj_IsOneValueForAllOfItsProcesses()
    {
        var m = AuditMachines.Fleet();
        var tasks = new[] { m.GetTask(30), m.GetTask(31), m.GetTask(70) };

        var r = OomProtection.AssessService(m, "/batch", tasks, Global, kills: 2);

        Assert.False(r.Protected);
        Assert.Equal(-130, r.MaxSafeOomScoreAdj);
        Assert.Equal("", r.MaxSafeReason);
        Assert.Equal(250000 - 120100 + 1, r.NeedsPages);     // it outscores web, the next victim in its place
        Assert.Equal("20 (web)", r.GapTo);
        Assert.StartsWith("batch (pid 30), the first of the 3 processes of /batch to die, dies in OOM #2, after 40 (cache); it would need oom_score_adj <= -130 (now 0) on all of them; it outscores 20 (web)", r.Verdict);
    }

    [Fact]
    public void AnEmptySafeAdj_SaysWhy()
    {
        var m = AuditMachines.Fleet();

        var r = OomProtection.Assess(m, m.GetTask(10), Global, kills: 5);

        Assert.Null(r.MaxSafeOomScoreAdj);
        Assert.Equal("even at oom_score_adj -999 db (pid 10) dies in OOM #5, after 40 (cache), 31 (batch-helper), 20 (web), 70 (batch-2): "
            + "only 4 other process(es) can be killed before it (the rest are exempt, unkillable or already gone); "
            + "only -1000 (OOM_SCORE_ADJ_MIN) keeps it out of the first 5 OOM(s)", r.MaxSafeReason);
        Assert.Contains(r.MaxSafeReason, r.Verdict);
        Assert.Null(r.NeedsPages);               // it already scores below them all: less memory would not help
    }

    [Fact]
    public void AUnitWithoutALimit_IsInTheOomOfTheNearestLimitedParent_OrAGlobalOne()
    {
        var m = AuditMachines.Fleet();
        m.CreateCgroup("/batch/job.service");
        m.CreateCgroup("/system.slice");
        m.CreateCgroup("/system.slice/db.service");

        Assert.Equal("/batch", ServiceDomain.LimitingCgroup(m, "/batch"));
        Assert.Equal("/batch", ServiceDomain.LimitingCgroup(m, "/batch/job.service"));
        Assert.Null(ServiceDomain.LimitingCgroup(m, "/system.slice/db.service"));
        Assert.Null(ServiceDomain.LimitingCgroup(m, "/"));
    }

    [Fact]
    public void KilledBefore_IsNullWhenItDiesFirst_OtherwiseSaysWhoDiesWhen()
    {
        var m = AuditMachines.Fleet();
        var web = OomProtection.Assess(m, m.GetTask(20), Global, kills: 1);
        var batch2 = OomProtection.Assess(m, m.GetTask(70), Global, kills: 1);
        var pinned = OomProtection.Assess(m, m.GetTask(60), Global, kills: 1);

        Assert.Null(ProtectionVerdict.KilledBefore(web, batch2));
        Assert.Null(ProtectionVerdict.KilledBefore(web, pinned));                 // pinned is never killed
        Assert.StartsWith("web (pid 20) dies in OOM #3, after 40 (cache), 31 (batch-helper); batch-2 (pid 70) only in OOM #4; "
            + "batch-2 scores 110101 pages (", ProtectionVerdict.KilledBefore(batch2, web));   // 120100 - 10000 + 1
        Assert.Equal("web (pid 20) dies in OOM #3, after 40 (cache), 31 (batch-helper); pinned (pid 60) is never killed",
            ProtectionVerdict.KilledBefore(pinned, web));
    }
}
