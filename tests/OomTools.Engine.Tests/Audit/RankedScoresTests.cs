using System;
using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Audit;
using Xunit;

namespace OomTools.Engine.Tests.Audit;

/// <summary>
/// Audit/RankedScores, the ranking Test-OomProtection reads (select_bad_process's eligibility, oom_badness and tie
/// rule, kept as values): every candidate it makes is the one BadnessRanking.ScoreAll makes for the same task, with
/// the same rank, in every kernel era's scoring.
/// </summary>
public class RankedScoresTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("4.16")]
    [InlineData("3.4")]
    [InlineData("2.6.32")]
    public void EachTasksCandidateIsScoreAllsWithItsRank(string? kernel)
    {
        var m = CandidateLogTests.Mixed(kernel is null ? null : Version.Parse(kernel));
        var all = BadnessRanking.ScoreAll(m, TestMachines.Global());

        var ranked = RankedScores.Of(m, TestMachines.Global());

        foreach (var c in all)
            Assert.Equal(CandidateLogTests.Values(c), CandidateLogTests.Values(ranked.For(c.Task)!));
    }

    [Fact]
    public void AtRankWalksTheKillableTasksInTheKernelsOrderAndStopsAfterTheLast()
    {
        var m = CandidateLogTests.Mixed();
        var killable = BadnessRanking.ScoreAll(m, TestMachines.Global()).Where(c => c.Killable).OrderBy(c => c.Rank).ToList();

        var ranked = RankedScores.Of(m, TestMachines.Global());

        Assert.Equal(killable.Select(c => c.Pid), Enumerable.Range(1, killable.Count).Select(r => ranked.AtRank(r)!.Pid));
        Assert.Null(ranked.AtRank(0));
        Assert.Null(ranked.AtRank(killable.Count + 1));
    }

    [Fact]
    public void NthOutsideSkipsTheExcludedPidsAndIsNullWhenTooFewAreLeft()
    {
        var m = CandidateLogTests.Mixed();
        var ranked = RankedScores.Of(m, TestMachines.Global());
        var order = Enumerable.Range(1, 20).Select(r => ranked.AtRank(r)).TakeWhile(c => c is not null).Select(c => c!.Pid).ToList();
        var excluded = new HashSet<int> { order[0], order[2] };

        var rest = order.Where(p => !excluded.Contains(p)).ToList();

        Assert.Equal(rest, Enumerable.Range(1, rest.Count).Select(n => ranked.NthOutside(excluded, n)!.Pid));
        Assert.Null(ranked.NthOutside(excluded, rest.Count + 1));
    }

    [Fact]
    public void ATaskOutsideTheDomainHasNoCandidate()
    {
        var m = CandidateLogTests.Mixed();
        var other = CandidateLogTests.Mixed().GetTask(101);

        Assert.Null(RankedScores.Of(m, TestMachines.Global()).For(other));
    }
}
