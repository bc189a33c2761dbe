using System;
using System.Linq;
using OomTools.Engine.Audit;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>
/// Recorded candidates (Killer/CandidateLog): kept flat during the scan and made into OomCandidate objects when first
/// read, with the values of the scan — whatever the machine does after — and the same as weighing each task alone.
/// </summary>
public class CandidateLogTests
{
    internal static OomMachine Mixed(Version? kernel = null)
    {
        var m = TestMachines.Machine(ram: 2_000_000, swap: 500_000);
        if (kernel is not null) m.UseKernel(kernel);
        m.Add(1, anon: 50, name: "init").IsGlobalInit = true;
        m.Add(2, name: "kthreadd").IsKernelThread = true;
        m.Add(100, anon: 1000, file: 20, shmem: 3, swap: 7, pgtables: 81_920, adj: -500, name: "small");
        m.Add(101, anon: 90_000, swap: 4000, pgtables: 409_600, adj: 300, name: "big");
        m.Add(102, anon: 5000, name: "root", with: s => s.Uid = 0);
        m.Add(103, anon: 70_000, adj: -1000, name: "protected");
        m.Add(104, anon: 80_000, name: "vfork", with: s => s.InVfork = true);
        m.Add(105, anon: 90_000, adj: 300, swap: 4000, pgtables: 409_600, name: "twin");
        m.Add(106, anon: 1, name: "swapoff", with: s => s.OomOrigin = true);
        m.Add(107, anon: 30_000, adj: 1000, name: "leaker");
        return m;
    }

    internal static object[] Values(OomCandidate c) => new object[]
    {
        c.Pid, c.Order, c.Points ?? -1, c.Reason, c.Killable, c.RssPages, c.SwapPages, c.PageTablePages, c.OomScoreAdj,
        c.AdjPages, c.RootBonus, c.TotalPages, c.OomScore, c.Rank,
    };

    [Theory]
    [InlineData(null)]
    [InlineData("4.16")]
    [InlineData("3.4")]
    [InlineData("2.6.32")]
    public void RecordedCandidatesAreTheTasksWeighedOneByOne(string? kernel)
    {
        var m = Mixed(kernel is null ? null : Version.Parse(kernel));
        var expected = BadnessRanking.ScoreAll(m.Clone(), TestMachines.Global()).Select(Values).ToList();

        var outcome = m.WhatIf(x => x.Killer.Invoke(TestMachines.Global()));

        Assert.Equal(expected, outcome.Candidates.Select(Values).ToList());
    }

    [Fact]
    public void CandidatesKeepTheScansValuesWhenTheMachineChangesBeforeTheyAreRead()
    {
        var m = Mixed();
        var expected = m.WhatIf(x => x.Killer.Invoke(TestMachines.Global())).Candidates.Select(Values).ToList();

        var outcome = m.WhatIf(x => x.Killer.Invoke(TestMachines.Global()));
        m.GetTask(101).Mm!.AnonPages = new Pages(1);
        m.GetTask(100).Mm!.AnonPages = new Pages(1_500_000);
        m.UseKernel(new Version(4, 16));

        Assert.Equal(expected, outcome.Candidates.Select(Values).ToList());
    }

    [Fact]
    public void EveryReadGivesTheSameObjects()
    {
        var m = Mixed();
        var outcome = m.Killer.Invoke(TestMachines.Global());

        Assert.Equal(10, outcome.Candidates.Count);
        Assert.Same(outcome.Candidates[3], outcome.Candidates[3]);
        Assert.Same(outcome.Candidates, outcome.Candidates);
        Assert.Equal(106, outcome.Candidates.Single(c => c.Rank == 1).Pid);
        Assert.Equal(long.MaxValue, outcome.Candidates.Single(c => c.Rank == 1).Points);
    }

    [Fact]
    public void ANotRecordingScanHasNoCandidates()
    {
        var m = Mixed();
        var outcome = m.Killer.Invoke(new OomControl { RecordCandidates = false });

        Assert.Empty(outcome.Candidates);
        Assert.Same(outcome.Candidates, outcome.Candidates);
    }
}
