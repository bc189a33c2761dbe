using System;
using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Log;
using OomTools.Engine.Model;
using OomTools.Engine.Time;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>
/// oom_kill_process()'s <c>DEFINE_RATELIMIT_STATE(oom_rs, 5*HZ, 10)</c>: at most 10 reports (dump_header +
/// dump_oom_victim) per fixed 5 s window; "Killed process" is never limited; the missed count is printed as
/// <c>oom_kill_process: N callbacks suppressed</c> at the first call after the window.
/// </summary>
public class RateLimitTests
{
    private const string Invoked = " invoked oom-killer: ";

    private static OomMachine Machine(out ManualClock clock, int tasks = 20)
    {
        clock = new ManualClock(TestMachines.BootNs);
        var m = TestMachines.Machine(clock: clock);
        for (int i = 0; i < tasks; i++) m.Add(100 + i, anon: 1000 + i); // the newest is always the biggest
        return m;
    }

    /// <summary>One OOM kill; then the victim exits so the next OOM is not aborted.</summary>
    private static OomOutcome KillNext(OomMachine m)
    {
        var o = m.Killer.Invoke(TestMachines.Global());
        Assert.NotNull(o.Victim);
        m.RemoveTask(o.Victim!);
        return o;
    }

    [Fact]
    public void OomKillProcess_EleventhReportWithinFiveSecondsIsSuppressed()
    {
        var m = Machine(out var clock);

        for (int i = 0; i < 10; i++)
        {
            var o = KillNext(m);
            Assert.True(o.AnyLineContains(Invoked), $"report {i + 1} should be printed");
            Assert.True(o.AnyLineContains("oom-kill:constraint="));
            clock.Advance(TimeSpan.FromMilliseconds(100));
        }
        var eleventh = KillNext(m);

        Assert.False(eleventh.AnyLineContains(Invoked));
        Assert.False(eleventh.AnyLineContains("oom-kill:"));
        Assert.False(eleventh.AnyLineContains(OomMessages.TasksStateHeader));
        // the kill and its "Killed process" line are not rate-limited
        Assert.Single(eleventh.Log);
        Assert.StartsWith("Out of memory: Killed process 109 ", eleventh.Log[0].Text);
        Assert.Single(eleventh.Killed);
    }

    [Fact]
    public void OomKillProcess_WindowEndsOnlyAfterMoreThanFiveSeconds()
    {
        var m = Machine(out var clock);
        for (int i = 0; i < 11; i++) KillNext(m); // window began at the first call; 1 missed

        clock.Advance(TimeSpan.FromSeconds(5)); // jiffies == begin + 5*HZ: not yet expired
        var atFive = KillNext(m);
        Assert.False(atFive.AnyLineContains(Invoked));
        Assert.False(atFive.AnyLineContains("callbacks suppressed"));

        clock.Advance(TimeSpan.FromMilliseconds(4)); // one jiffy more at HZ=250
        var after = KillNext(m);

        Assert.Equal("oom_kill_process: 2 callbacks suppressed", after.Log[0].Text);
        Assert.Equal(KernelLogLevel.Warning, after.Log[0].Level);
        Assert.EndsWith(Invoked + "gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0", after.Log[1].Text);
        Assert.Equal(1, after.Log.Count(e => e.Text.Contains("callbacks suppressed")));
    }

    [Fact]
    public void OomKillProcess_NewWindowAllowsTenMoreReports()
    {
        var m = Machine(out var clock, tasks: 25);
        for (int i = 0; i < 12; i++) KillNext(m);
        clock.Advance(TimeSpan.FromSeconds(6));

        var printed = Enumerable.Range(0, 11).Select(_ => KillNext(m).AnyLineContains(Invoked)).ToArray();

        Assert.Equal(Enumerable.Repeat(true, 10).Append(false), printed);
    }

    [Fact]
    public void OomKillProcess_NoSuppressedMessageWhenNothingWasMissed()
    {
        var m = Machine(out var clock);
        for (int i = 0; i < 10; i++) KillNext(m);
        clock.Advance(TimeSpan.FromSeconds(6));

        var o = KillNext(m);

        Assert.False(o.AnyLineContains("callbacks suppressed"));
        Assert.True(o.AnyLineContains(Invoked));
    }

    [Fact]
    public void OomKillProcess_AlreadyDyingVictimDoesNotUseTheBudget()
    {
        var m = Machine(out _, tasks: 12);
        var dying = m.Add(500, anon: 90_000, with: s => s.GroupExiting = true);
        var marked = m.Killer.Invoke(TestMachines.Global());
        Assert.Same(dying, marked.Victim);
        Assert.Empty(marked.Log);
        m.RemoveTask(dying);

        var printed = Enumerable.Range(0, 10).Select(_ => KillNext(m).AnyLineContains(Invoked)).ToArray();

        Assert.All(printed, Assert.True);
    }

    [Fact]
    public void RateLimit_FixedWindowAndSuppressedCount()
    {
        var rl = new RateLimit("f", burst: 2);
        var log = new KernelLog(new ManualClock());

        Assert.True(rl.Allow(new Jiffies(1000), new Jiffies(10), log));
        Assert.True(rl.Allow(new Jiffies(1005), new Jiffies(10), log));
        Assert.False(rl.Allow(new Jiffies(1010), new Jiffies(10), log)); // 1010 is not after 1000 + 10
        Assert.False(rl.Allow(new Jiffies(1010), new Jiffies(10), log));
        Assert.Empty(log.Entries);
        Assert.True(rl.Allow(new Jiffies(1011), new Jiffies(10), log));

        Assert.Equal(new[] { "f: 2 callbacks suppressed" }, log.Entries.Texts());
        Assert.True(rl.Allow(new Jiffies(1012), new Jiffies(10), log));
        Assert.False(rl.Allow(new Jiffies(1013), new Jiffies(10), log)); // the new window began at 1011
    }
}
