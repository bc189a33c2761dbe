using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Model;

/// <summary>
/// KernelLimits (issue 10, case 9): pids within PID_MAX_LIMIT, thread ids too, page counters within what a kernel
/// can hold, so oom_badness never wraps and the wrong process never dies; nothing changes on a refusal.
/// </summary>
public class KernelLimitsTests
{
    private static OomMachine OneGiB() => new(new Pages(262144), Pages.Zero, name: "small");

    [Theory]
    [InlineData(4194305)]
    [InlineData(int.MaxValue)]
    public void Pid_AbovePidMaxLimit_IsRefused(int pid)
    {
        var m = OneGiB();
        var ex = Assert.Throws<OomEngineException>(() => m.AddTask(new OomTaskSpec { Pid = pid, Name = "x" }));
        Assert.Equal(OomError.InvalidArgument, ex.Error);
        Assert.Contains("PID_MAX_LIMIT", ex.Message);
        Assert.Empty(m.Tasks);
    }

    [Fact]
    public void Pid_AtPidMaxLimit_IsTaken()
    {
        var m = OneGiB();
        Assert.Equal(KernelLimits.PidMaxLimit, m.AddTask(new OomTaskSpec { Pid = 4194304, Name = "last" }).Pid);
    }

    [Theory]
    [InlineData(int.MaxValue, 5)]      // the case: tids would wrap negative
    [InlineData(4194304, 2)]           // tid 4194305
    [InlineData(4194300, 6)]           // last tid 4194305
    public void ThreadIds_PastPidMaxLimit_AreRefused(int pid, int threads)
    {
        var m = OneGiB();
        var ex = Assert.Throws<OomEngineException>(() => m.AddTask(new OomTaskSpec { Pid = pid, Name = "x", Threads = threads }));
        Assert.Equal(OomError.InvalidArgument, ex.Error);
        Assert.Empty(m.Tasks);
    }

    [Fact]
    public void ThreadIds_UpToPidMaxLimit_AreTaken()
    {
        var m = OneGiB();
        var t = m.AddTask(new OomTaskSpec { Pid = 4194300, Name = "x", Threads = 5 });
        Assert.Equal(5, t.ThreadCount);
        // The pid space above is used up: a pid of the machine's choosing is InvalidState, never a wrapped id.
        var ex = Assert.Throws<OomEngineException>(() => m.AddTask(new OomTaskSpec { Name = "next" }));
        Assert.Equal(OomError.InvalidState, ex.Error);
    }

    [Fact]
    public void HugeCounters_AreRefused_SoTheScoreCannotWrap()
    {
        // 2^62 pages on a 1 GiB machine: the score would wrap negative and the wrong process die.
        var m = OneGiB();
        m.AddTask(new OomTaskSpec { Pid = 100, Name = "small", AnonPages = new Pages(1000) });
        foreach (var spec in new[]
        {
            new OomTaskSpec { Pid = 200, Name = "huge", AnonPages = new Pages(1L << 62) },
            new OomTaskSpec { Pid = 200, Name = "huge", FilePages = new Pages(1L << 41) },
            new OomTaskSpec { Pid = 200, Name = "huge", SwapEntries = new Pages(long.MaxValue) },
            new OomTaskSpec { Pid = 200, Name = "huge", PageTableBytes = long.MaxValue },
            new OomTaskSpec { Pid = 200, Name = "huge", TotalVm = new Pages(1L << 45) },
        })
        {
            var ex = Assert.Throws<OomEngineException>(() => m.AddTask(spec));
            Assert.Equal(OomError.InvalidArgument, ex.Error);
        }
        Assert.Single(m.Tasks);
        var update = new OomTaskUpdate { AnonPages = new Pages(1L << 62) };
        Assert.Throws<OomEngineException>(() => m.CheckUpdate(m.GetTask(100), update));
        Assert.Equal(1000, m.GetTask(100).Mm!.AnonPages.Value);
    }

    [Fact]
    public void LargestCounters_ScoreWithoutWrapping()
    {
        long max = KernelLimits.MaxPages(4096);
        var m = new OomMachine(new Pages(max), new Pages(max), name: "largest");
        m.AddTask(new OomTaskSpec { Pid = 100, Name = "big", AnonPages = new Pages(max), FilePages = new Pages(max), ShmemPages = new Pages(max), SwapEntries = new Pages(max), PageTableBytes = KernelLimits.MaxMemoryBytes, OomScoreAdj = OomScoreAdj.From(1000) });
        m.AddTask(new OomTaskSpec { Pid = 200, Name = "small", AnonPages = new Pages(1) });
        var outcome = m.Killer.Invoke(new OomControl { GfpMask = GfpMask.HighUserMovable });
        Assert.Equal(100, outcome.Victim!.Pid);
        Assert.True(outcome.VictimPoints > 0);
    }

    [Fact]
    public void Machine_LargerThanAKernelCanHold_IsRefused()
    {
        Assert.Throws<OomEngineException>(() => new OomMachine(new Pages((1L << 40) + 1), Pages.Zero));
        Assert.Throws<OomEngineException>(() => new OomMachine(new Pages(1), new Pages(long.MaxValue / 4096)));
    }
}
