using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

public sealed partial class OomMachine
{
    /// <summary>The timers and exits due on this machine's timeline.</summary>
    internal PendingQueue Pending { get; private set; } = new();

    /// <summary>The oom_reaper thread; null until oom_init has started it (the killer does so on first use).</summary>
    internal OomReaperThread? OomReaperThread { get; set; }

    /// <summary>How many things (exits, oom_reaper timers, reaper retries) are due on the timeline.</summary>
    public int PendingEvents => Pending.Count;

    /// <summary>The jiffy of the next thing due (null when nothing is), and how many are pending.</summary>
    public (Jiffies? At, int Count) NextDue() => (Pending.FirstAt, Pending.Count);

    /// <summary>A process with a fatal signal gets to run after its exit latency: its exit falls due then.</summary>
    internal void ScheduleExit(OomTask p) =>
        Pending.Schedule(Now + (p.ExitLatency ?? DefaultExitLatency), PendingKind.Exit, p);

    /// <summary>The pid <see cref="AddTask"/> tries first when none is given.</summary>
    internal int NextPid
    {
        get => nextPid;
        set => nextPid = value;
    }

    /// <summary>Puts a restored kernel log in place (its records keep their own timestamps).</summary>
    internal void RestoreLog(Log.KernelLog log) => Log = log;
}
