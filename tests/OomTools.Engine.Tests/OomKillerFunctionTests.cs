using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>
/// The seed functions that have a method of their own since the killer stopped keeping state (dump_task,
/// oom_init, oom_reaper, oom_reap_task), and out_of_memory's results returned as values.
/// </summary>
public class OomKillerFunctionTests
{
    private static OomMachine KilledHog(out OomTask hog)
    {
        var m = TestMachines.Machine();
        hog = m.Add(100, anon: 5000, file: 30, name: "hog");
        hog.ExitLatencyJiffies = 1_000_000; // it does not get out by itself
        m.Add(101, anon: 10, name: "small");
        Assert.Same(hog, m.Killer.Invoke(TestMachines.Global()).Victim);
        return m;
    }

    [Fact]
    public void OutOfMemory_ReturnsTheKernelValueAndTheProcessesItKilled()
    {
        var m = TestMachines.Machine();
        var owner = m.Add(100, anon: 5000, name: "hog");
        m.AddSharer(102, owner: 100, name: "sharer");
        m.Add(101, anon: 10);

        var result = m.Killer.OutOfMemory(TestMachines.Global());

        Assert.True(result.Result);
        Assert.Equal(new[] { 102, 100 }, result.AllKilled.Pids()); // the later of two equal scores is chosen, then its mm sharer
        Assert.Null(result.EarlyReturn);
    }

    [Fact]
    public void OutOfMemory_SaysWhyItReturnedEarly_AndEachCallHasItsOwnResult()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 5000);
        m.OomKillerDisabled = true;

        var first = m.Killer.OutOfMemory(TestMachines.Global());
        m.OomKillerDisabled = false;
        var second = m.Killer.OutOfMemory(TestMachines.Global());

        Assert.False(first.Result);
        Assert.Equal("the OOM killer is disabled (oom_killer_disable)", first.EarlyReturn);
        Assert.Empty(first.Killed);
        Assert.True(second.Result);
        Assert.Null(second.EarlyReturn);
        Assert.Equal(new[] { 100 }, second.Killed.Pids());
    }

    [Fact]
    public void DoOomKillProcess_ReturnsTheProcessesThatReceivedSigkill()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 5000, name: "hog");
        m.AddSharer(102, owner: 100, name: "sharer");

        var gone = m.Add(103, name: "gone", with: s => s.DetachedThreads = 1); // every thread has dropped its mm

        Assert.Equal(new[] { 100, 102 }, m.Killer.DoOomKillProcess(m.GetTask(100), "Out of memory").Pids());
        Assert.Empty(m.Killer.DoOomKillProcess(gone, "Out of memory"));
    }

    [Fact]
    public void DumpTask_PrintsOneRow_AndNothingForAnUnkillableTask()
    {
        var m = TestMachines.Machine();
        var init = m.Add(1, anon: 10, name: "init");
        var app = m.Add(100, anon: 5000, file: 30, shmem: 2, swap: 7, pgtables: 8192, adj: 300, name: "app");
        var oc = TestMachines.Global();
        int before = m.Log.Count;

        Assert.False(m.Killer.DumpTask(init, oc));
        Assert.True(m.Killer.DumpTask(app, oc));

        Assert.Equal(new[] { "[    100]     0   100     5039     5032     5000       30         2     8192        7           300 app" },
            m.Log.Since(before).Texts());
    }

    [Fact]
    public void OomInit_StartsTheReaperThreadOnce()
    {
        var m = TestMachines.Machine();
        Assert.Null(m.OomReaperThread);

        m.Killer.OomInit();
        var thread = m.OomReaperThread;
        m.Killer.OomInit();

        Assert.NotNull(thread);
        Assert.Same(thread, m.OomReaperThread);
        Assert.Empty(m.Killer.OomReaperList);
        Assert.Null(thread!.BusyWith);
    }

    [Fact]
    public void OomReaper_TakesTheNewestVictimAndMakesItsFirstPass_ThenHasNothingToStart()
    {
        var m = KilledHog(out var hog);
        Assert.Null(m.Killer.OomReaper()); // the timer has not fired: nothing on the list

        Assert.True(m.Killer.WakeOomReaper(hog));
        var pass = m.Killer.OomReaper();

        Assert.NotNull(pass);
        Assert.Same(hog, pass!.Task);
        Assert.Equal(1, pass.Attempt);
        Assert.Equal(OomReapPassResult.Reaped, pass.Result);
        Assert.True(pass.Finished);
        Assert.Equal(5000, pass.PagesFreed);
        Assert.Equal("oom_reaper: reaped process 100 (hog), now anon-rss:0kB, file-rss:120kB, shmem-rss:0kB", pass.Message);
        Assert.Null(m.Killer.OomReaper());
    }

    [Fact]
    public void OomReapTask_RetriesInATenthOfASecondWhileMmapLockIsHeld_AndGivesUpAfterTheLastRetry()
    {
        var m = KilledHog(out var hog);
        hog.Mm!.MmapLockHeldForWrite = true;
        long now = m.Jiffies;

        var first = m.Killer.OomReapTask(hog, 1);

        Assert.Equal(OomReapPassResult.Retry, first.Result);
        Assert.True(first.MmapLockHeld);
        Assert.False(first.Finished);
        Assert.Contains(m.Pending.Items, p => p.Kind == PendingKind.ReaperAttempt && p.At.Value == now + 25 && p.Attempt == 2);

        var last = m.Killer.OomReapTask(hog, OomKiller.MaxOomReapRetries + 1);

        Assert.Equal(OomReapPassResult.UnableToReap, last.Result);
        Assert.Equal("oom_reaper: unable to reap pid:100 (hog)", last.Message);
        Assert.True(hog.Mm.Has(MmFlags.OomSkip));
        Assert.Equal(5000, hog.Mm.AnonPages.Value);
    }

    [Fact]
    public void OomKillerDisable_WaitsThroughTheWaitItIsHanded()
    {
        var m = KilledHog(out _);
        var wait = new RecordingWait(ok: true);

        Assert.True(m.Killer.OomKillerDisable(new Jiffies(250), wait));

        Assert.Equal(250, wait.Timeout);
        Assert.True(m.OomKillerDisabled);
    }

    private sealed class RecordingWait : OomTools.Engine.Time.IWaitEvent
    {
        private readonly bool ok;
        public RecordingWait(bool ok) => this.ok = ok;
        public long Timeout { get; private set; }

        public bool WaitEventTimeout(System.Func<bool> condition, Jiffies timeout)
        {
            Timeout = timeout.Value;
            return ok;
        }
    }
}
