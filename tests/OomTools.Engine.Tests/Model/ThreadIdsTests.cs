using System.Linq;
using OomTools.Engine.Model;
using Xunit;

namespace OomTools.Engine.Tests.Model;

/// <summary>A process's other threads are kept an int each (the tid, its complement once detached): they read back as given.</summary>
public class ThreadIdsTests
{
    [Fact]
    public void Threads_WithAndWithoutTheMm_ReadBackInOrder_ThroughACopy()
    {
        var m = TestMachines.Machine();
        var t = m.Add(100, anon: 5, with: s => { s.Threads = 5; s.DetachedThreads = 3; s.ThreadIds = new[] { 4_194_304, 7, 300 }; });
        var expected = new[] { (100, false), (4_194_304, false), (7, false), (300, true), (101, true) };
        Assert.Equal(expected, t.ThreadList.Select(x => (x.Tid, x.HasMm)));
        Assert.Equal(2, t.ThreadsWithMm);
        Assert.Equal(300, OomTools.Engine.Killer.OomKiller.FindLockTaskMm(t));
        Assert.Equal(expected, m.Clone().FindTask(100)!.ThreadList.Select(x => (x.Tid, x.HasMm)));

        m.ReplaceThreads(t, new[] { new OomThread(9, false), new OomThread(1, true) });
        Assert.Equal(new[] { (100, false), (9, false), (1, true) }, t.ThreadList.Select(x => (x.Tid, x.HasMm)));
        Assert.Null(m.FindTask(7));
        Assert.Throws<OomEngineException>(() => m.Add(9, anon: 1));
        m.ReplaceThreads(t, System.Array.Empty<OomThread>());
        Assert.Equal(1, t.ThreadCount);
        m.Add(9, anon: 1);
    }
}
