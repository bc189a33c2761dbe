using OomTools.Engine.Log;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>oom_killer_disable() / oom_killer_enable().</summary>
public class OomKillerSwitchTests
{
    [Fact]
    public void OomKillerDisable_WithNoVictimsInFlightSucceeds()
    {
        var m = TestMachines.Machine();

        Assert.True(m.Killer.OomKillerDisable(Jiffies.Zero, m.Timeline));

        Assert.True(m.OomKillerDisabled);
        var last = m.Log.Entries[m.Log.Count - 1];
        Assert.Equal("OOM killer disabled.", last.Text);
        Assert.Equal(KernelLogLevel.Info, last.Level);
    }

    [Fact]
    public void OomKillerDisable_WithAVictimInFlightTimesOutAndReenables()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 500);
        m.Killer.Invoke(TestMachines.Global());
        Assert.Equal(1, m.OomVictims);
        int before = m.Log.Count;

        Assert.False(m.Killer.OomKillerDisable(Jiffies.Zero, m.Timeline));

        Assert.False(m.OomKillerDisabled);
        Assert.Equal(new[] { "OOM killer enabled." }, m.Log.Since(before).Texts());
    }

    [Fact]
    public void OomKillerDisable_SucceedsOnceTheVictimHasExited()
    {
        var m = TestMachines.Machine();
        var v = m.Add(100, anon: 500);
        m.Killer.Invoke(TestMachines.Global());
        m.RemoveTask(v); // exit_mm -> exit_oom_victim

        Assert.Equal(0, m.OomVictims);
        Assert.True(m.Killer.OomKillerDisable(Jiffies.Zero, m.Timeline));
    }

    [Fact]
    public void OomKillerEnable_ReenablesAndLogs()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 500);
        m.Killer.OomKillerDisable(Jiffies.Zero, m.Timeline);
        Assert.False(m.Killer.Invoke(TestMachines.Global()).Result);

        m.Killer.OomKillerEnable();

        Assert.False(m.OomKillerDisabled);
        Assert.Equal("OOM killer enabled.", m.Log.Entries[m.Log.Count - 1].Text);
        var o = m.Killer.Invoke(TestMachines.Global());
        Assert.True(o.Result);
        Assert.Same(t, o.Victim);
    }

    [Fact]
    public void OutOfMemory_WhileDisabledDoesNothingEvenForMemcgOrSysrq()
    {
        var m = TestMachines.Machine();
        var a = m.CreateCgroup("/a");
        var t = m.Add(100, anon: 500, cgroup: "/a");
        m.Killer.OomKillerDisable(Jiffies.Zero, m.Timeline);

        Assert.False(m.Killer.Invoke(TestMachines.ForMemcg(a)).Result);
        Assert.False(m.Killer.Invoke(TestMachines.Sysrq()).Result);
        Assert.False(t.GroupExiting);
    }
}
