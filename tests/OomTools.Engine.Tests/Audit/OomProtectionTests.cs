using System.Linq;
using OomTools.Engine.Audit;
using Xunit;

namespace OomTools.Engine.Tests.Audit;

/// <summary>
/// OomProtection.Assess on <see cref="AuditMachines.Fleet"/>: rank, margin, who dies first, whether the process
/// survives the first N kills, and the highest oom_score_adj that keeps it out of them, all worked out by hand.
/// Global ranking: cache 550000 (1), batch-helper 250000 (2, the later of the tie), batch 250000 (3),
/// web 120100 (4), batch-2 10000 (5), db -200000 (6).
/// </summary>
public class OomProtectionTests
{
    private static readonly OomRequest Global = new();

    [Fact]
    public void Db_RankMarginAndKillPosition()
    {
        var m = AuditMachines.Fleet();

        var r = OomProtection.Assess(m, m.GetTask(10), Global, kills: 1);

        Assert.Equal(10, r.Pid);
        Assert.Equal("db", r.Name);
        Assert.Equal(-500, r.OomScoreAdj);
        Assert.Equal(6, r.Rank);
        Assert.Equal(-200000, r.Points);
        Assert.Equal(70, r.Above);                 // batch-2, rank 5
        Assert.Equal(210000, r.MarginPages);       // 10000 - (-200000)
        Assert.Equal(5, r.KillPosition);           // the fifth OOM (the second one killed two processes)
        Assert.Equal(new[] { "40 (cache)", "31 (batch-helper)", "20 (web)", "70 (batch-2)" }, r.DiesBefore.ToArray());
        Assert.Equal(1, r.Kills);
        Assert.True(r.Protected);
    }

    // db scores 300000 + 1000 * adj. It is earlier in the task list than every rival, so a tie is lost to the rival.
    //  kills 1: 300000 + 1000a <= 550000 (cache)          -> a <= 250
    //  kills 2: ... <= 250000 (batch-helper)               -> a <= -50
    //  kills 3: ... <= 120100 (web)                        -> a <= -179.9, so -180
    //  kills 4: ... <= 10000 (batch-2)                     -> a <= -290
    //  kills 5: db is the last killable process whatever its adj above -1000: none.
    [Theory]
    [InlineData(1, 250, true)]
    [InlineData(2, -50, true)]
    [InlineData(3, -180, true)]
    [InlineData(4, -290, true)]
    [InlineData(5, null, false)]
    public void Db_MaxSafeOomScoreAdj_ByHand(int kills, int? maxSafe, bool isProtected)
    {
        var m = AuditMachines.Fleet();

        var r = OomProtection.Assess(m, m.GetTask(10), Global, kills);

        Assert.Equal(maxSafe, r.MaxSafeOomScoreAdj);
        Assert.Equal(isProtected, r.Protected);     // killed 5th at -500
    }

    [Fact]
    public void TheFirstVictim_IsNotProtected_AndHasNoMargin()
    {
        var m = AuditMachines.Fleet();

        var r = OomProtection.Assess(m, m.GetTask(40), Global, kills: 1);

        Assert.Equal(1, r.Rank);
        Assert.Null(r.Above);
        Assert.Null(r.MarginPages);
        Assert.Equal(1, r.KillPosition);
        Assert.Empty(r.DiesBefore);
        Assert.False(r.Protected);
        // cache is later than 31 in the task list, so it must stay strictly below 250000: 50000 + 1000a < 250000 -> 199.
        Assert.Equal(199, r.MaxSafeOomScoreAdj);
    }

    [Fact]
    public void TheEarlierOfATie_RanksBelowTheLater()
    {
        var m = AuditMachines.Fleet();

        var r = OomProtection.Assess(m, m.GetTask(30), Global, kills: 1);

        // batch and batch-helper both score 250000: 31 ranks 2, 30 ranks 3 with a margin of 0 to it.
        Assert.Equal(3, r.Rank);
        Assert.Equal(31, r.Above);
        Assert.Equal(0, r.MarginPages);
        Assert.Equal(2, r.KillPosition);   // killed with 31, sharing its mm
        Assert.Equal(new[] { "40 (cache)" }, r.DiesBefore.ToArray());
    }

    [Fact]
    public void AnUnkillableProcess_HasRankZero_AndIsProtected()
    {
        var m = AuditMachines.Fleet();

        var r = OomProtection.Assess(m, m.GetTask(60), Global, kills: 1);

        Assert.Equal(0, r.Rank);
        Assert.Null(r.Points);
        Assert.Null(r.Above);
        Assert.Null(r.MarginPages);
        Assert.Null(r.KillPosition);
        Assert.Equal(new[] { "40 (cache)", "31 (batch-helper)", "20 (web)", "70 (batch-2)", "10 (db)" }, r.DiesBefore.ToArray());
        Assert.True(r.Protected);
        // With any adj above -1000 it is killable: 90000 + 1000a must stay below cache's 550000, and pinned (60) is
        // later than cache (40), so a tie is lost: 90000 + 1000a < 550000 -> a <= 459.
        Assert.Equal(459, r.MaxSafeOomScoreAdj);
    }

    [Fact]
    public void GlobalInit_IsNeverKilled_SoEveryAdjIsSafe()
    {
        var m = AuditMachines.Fleet();

        var r = OomProtection.Assess(m, m.GetTask(1), Global, kills: 3);

        Assert.Equal(0, r.Rank);
        Assert.True(r.Protected);
        Assert.Equal(1000, r.MaxSafeOomScoreAdj);
    }

    [Fact]
    public void InAMemcgDomain_TheCgroupsLimitScalesTheAdj()
    {
        var m = AuditMachines.Fleet();

        var r = OomProtection.Assess(m, m.GetTask(70), new OomRequest { Cgroup = "/batch" }, kills: 1);

        // In /batch: 31 (250000) rank 1, 30 rank 2, 70 (10000) rank 3.
        Assert.Equal(3, r.Rank);
        Assert.Equal(30, r.Above);
        Assert.Equal(240000, r.MarginPages);
        Assert.Equal(2, r.KillPosition);
        Assert.Equal(new[] { "31 (batch-helper)" }, r.DiesBefore.ToArray());
        Assert.True(r.Protected);
        // totalpages = 262144, one adj point = 262 pages; 70 is later than 31 in the cgroup, so it must stay below:
        // 10000 + 262a < 250000 -> a < 916.03 -> 916 (249992); 917 gives 250254.
        Assert.Equal(916, r.MaxSafeOomScoreAdj);
    }

    [Fact]
    public void Assess_LeavesTheMachineAsItWas()
    {
        var m = AuditMachines.Fleet();

        OomProtection.Assess(m, m.GetTask(10), Global, kills: 4);

        Assert.Equal(-500, m.GetTask(10).OomScoreAdj.Value);
        Assert.Equal(9, m.Tasks.Count);
        Assert.Equal(0, m.OomKillCount);
        Assert.All(m.Tasks, t => Assert.False(t.IsOomVictim));
    }

    [Fact]
    public void Report_ToString()
    {
        var m = AuditMachines.Fleet();

        Assert.Equal("10 (db): rank 6, protected for 1 kill(s), max safe oom_score_adj 250",
            OomProtection.Assess(m, m.GetTask(10), Global, 1).ToString());
        Assert.Equal("10 (db): rank 6, NOT protected for 5 kill(s), max safe oom_score_adj none",
            OomProtection.Assess(m, m.GetTask(10), Global, 5).ToString());
    }
}
