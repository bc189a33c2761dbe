using System;
using System.Linq;
using OomTools.Engine.Kernels;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Reports;

/// <summary>
/// oom_badness as each kernel generation computed it, by the eras of Kernels/HISTORY.md (per mille before 3.5,
/// 30 off the adj for root 3.5 - 3.13, 3% of the points 3.14 - 4.16, at least 1 before 5.9, ties to the later
/// task from 5.3). 2,000,000 pages of totalpages makes the adj unit totalpages/1000 = 2000 pages.
/// </summary>
public class KernelRulesTests
{
    private static KernelRules K(int major, int minor) => KernelRules.For(new Version(major, minor));

    [Theory]
    // RHEL 6's 2.6.32, 2.6.36 - 3.4: points*1000/totalpages, -30 for root, + adj, clamped to 1..1000
    [InlineData(2, 6, 500_000, 0, 2_000_000, false, 250)]        // 500000*1000/2000000
    [InlineData(2, 6, 500_000, 0, 2_000_000, true, 220)]         // 250 - 30
    [InlineData(3, 4, 500_000, 900, 2_000_000, false, 1000)]     // 1150 clamped
    [InlineData(3, 4, 500_000, -500, 2_000_000, false, 1)]       // -250 -> at least 1
    [InlineData(2, 6, 10, 0, 2_000_000, true, 1)]                // 0 - 30 -> 1
    [InlineData(2, 6, 889_625, 0, 2_015_282, false, 441)]        // public/08's java: 441.44
    [InlineData(3, 0, 500, 100, 800, false, 725)]                // 625 + 100: per mille needs no 1000 pages
    public void PerMilleBefore35(int major, int minor, long pages, long adj, long total, bool root, long expected)
    {
        var k = K(major, minor);
        Assert.True(k.PerMille);
        Assert.Equal(RootBonus.PerMille30, k.Root);
        Assert.Equal(expected, k.Badness(pages, adj, total, root));
    }

    [Theory]
    // 3.5 - 3.13: pages; root: adj -= 30 before adj *= totalpages/1000; at least 1
    [InlineData(3, 5, 500_000, 0, 2_000_000, true, 440_000)]     // 500000 - 30*2000
    [InlineData(3, 7, 500_000, 0, 2_000_000, false, 500_000)]
    [InlineData(3, 13, 500_000, 100, 2_000_000, true, 640_000)]  // 500000 + 70*2000
    [InlineData(3, 10, 500_000, -300, 2_000_000, false, 1)]      // -100000 -> 1
    [InlineData(3, 10, 500, 1000, 999, false, 500)]              // totalpages/1000 = 0: the adj does nothing
    public void AdjMinus30For35To313(int major, int minor, long pages, long adj, long total, bool root, long expected)
    {
        var k = K(major, minor);
        Assert.False(k.PerMille);
        Assert.Equal(RootBonus.Adj30, k.Root);
        Assert.Equal(expected, k.Badness(pages, adj, total, root));
    }

    [Theory]
    // 3.14 - 4.16: root loses points*3/100 (integer division) before the adj
    [InlineData(3, 14, 500_000, 0, 2_000_000, true, 485_000)]    // 500000 - 15000
    [InlineData(4, 4, 500_000, 100, 2_000_000, true, 685_000)]   // 485000 + 100*2000
    [InlineData(4, 16, 99, 0, 2_000_000, true, 97)]              // 99*3/100 = 2
    [InlineData(4, 0, 33, 0, 2_000_000, true, 33)]               // 33*3/100 = 0
    [InlineData(4, 0, 311_590, 0, 376_285, true, 302_243)]       // public/21's resvtest: 311590 - 9347
    [InlineData(4, 4, 500_000, 0, 2_000_000, false, 500_000)]
    [InlineData(3, 14, 1000, -999, 2_000_000, false, 1)]         // -1997000 -> 1
    public void ThreePercentFor314To416(int major, int minor, long pages, long adj, long total, bool root, long expected)
    {
        var k = K(major, minor);
        Assert.Equal(RootBonus.ThreePercentOfPoints, k.Root);
        Assert.True(k.MinimumOne);
        Assert.Equal(expected, k.Badness(pages, adj, total, root));
    }

    [Theory]
    // 4.17 - 5.8: no root bonus, still at least 1
    [InlineData(4, 17, 500_000, 0, 2_000_000, true, 500_000)]
    [InlineData(4, 19, 500_000, -100, 2_000_000, true, 300_000)]
    [InlineData(5, 8, 1000, -999, 2_000_000, false, 1)]
    [InlineData(5, 4, 0, 0, 2_000_000, false, 1)]
    public void NoRootBonusButMinimumOneFor417To58(int major, int minor, long pages, long adj, long total, bool root, long expected)
    {
        var k = K(major, minor);
        Assert.Equal(RootBonus.None, k.Root);
        Assert.True(k.MinimumOne);
        Assert.False(k.IsCurrent);
        Assert.Equal(expected, k.Badness(pages, adj, total, root));
    }

    [Theory]
    // 5.9 and later: signed, may go negative
    [InlineData(5, 9, 1000, -999, 2_000_000, false, -1_997_000)]
    [InlineData(6, 12, 500_000, 0, 2_000_000, true, 500_000)]
    [InlineData(6, 18, 0, 0, 2_000_000, false, 0)]
    [InlineData(6, 1, 500_000, 1000, 2_000_000, false, 2_500_000)]
    public void CurrentRulesFrom59(int major, int minor, long pages, long adj, long total, bool root, long expected)
    {
        var k = K(major, minor);
        Assert.True(k.IsCurrent);
        Assert.False(k.MinimumOne);
        Assert.Equal(RootBonus.None, k.Root);
        Assert.Equal(expected, k.Badness(pages, adj, total, root));
    }

    [Theory]
    [InlineData(3, 4, true, RootBonus.PerMille30)]
    [InlineData(3, 5, false, RootBonus.Adj30)]
    [InlineData(3, 13, false, RootBonus.Adj30)]
    [InlineData(3, 14, false, RootBonus.ThreePercentOfPoints)]
    [InlineData(4, 16, false, RootBonus.ThreePercentOfPoints)]
    [InlineData(4, 17, false, RootBonus.None)]
    public void EraBoundaries(int major, int minor, bool perMille, RootBonus root)
    {
        var k = K(major, minor);
        Assert.Equal(perMille, k.PerMille);
        Assert.Equal(root, k.Root);
    }

    [Theory]
    [InlineData(4, 4, false)]
    [InlineData(5, 2, false)]
    [InlineData(5, 3, true)]
    [InlineData(6, 12, true)]
    public void TiesGoToTheLaterTaskFrom53(int major, int minor, bool later)
    {
        Assert.Equal(later, K(major, minor).TiesToLater);
    }

    [Fact]
    public void For_NoVersionMeansTheCurrentRules()
    {
        Assert.Same(KernelRules.Current, KernelRules.For(null));
        Assert.Equal(new Version(6, 12), KernelRules.Current.Version);
        Assert.Equal(new Version(5, 8), KernelRules.For(new Version(5, 8)).Version);
    }

    [Theory]
    [InlineData(3, 10, 100)]
    [InlineData(4, 4, 100)]
    [InlineData(5, 2, 100)]
    [InlineData(5, 3, 101)]
    [InlineData(6, 12, 101)]
    public void Selection_EqualScoresGoToTheEarlierTaskBefore53AndTheLaterAfter(int major, int minor, int victim)
    {
        var m = TestMachines.Machine(ram: 1_000_000);
        m.Scoring = K(major, minor);
        m.Add(100, anon: 300, with: s => s.Uid = 1000);
        m.Add(101, anon: 300, with: s => s.Uid = 1000);
        m.Add(102, anon: 299, with: s => s.Uid = 1000);

        var outcome = m.Killer.Invoke(TestMachines.Global());

        Assert.Equal(victim, outcome.Victim!.Pid);
        Assert.Equal(300, outcome.VictimPoints);
        Assert.Equal(victim, outcome.Candidates.Single(c => c.Rank == 1).Pid);
    }

    [Fact]
    public void Machine_OomBadnessUsesTheMachinesScoring()
    {
        var m = TestMachines.Machine(ram: 2_000_000);
        var root = m.Add(100, anon: 500_000, with: s => s.Uid = 0);
        var user = m.Add(101, anon: 500_000, with: s => s.Uid = 1000);

        m.Scoring = K(3, 14);
        Assert.Equal(485_000, m.Killer.OomBadness(root, new Pages(2_000_000)));
        Assert.Equal(500_000, m.Killer.OomBadness(user, new Pages(2_000_000)));

        m.Scoring = K(3, 10);
        Assert.Equal(440_000, m.Killer.OomBadness(root, new Pages(2_000_000)));

        m.Scoring = K(2, 6);
        Assert.Equal(220, m.Killer.OomBadness(root, new Pages(2_000_000)));
        Assert.Equal(250, m.Killer.OomBadness(user, new Pages(2_000_000)));

        m.Scoring = K(6, 12);
        Assert.Equal(500_000, m.Killer.OomBadness(root, new Pages(2_000_000)));
    }
}
