using OomTools.Engine.Memcontrol;
using OomTools.Engine.Model;

namespace OomTools.Engine.Killer;

/// <summary>
/// mm/oom_kill.c over one machine: a thin object whose methods are the kernel's functions, each named in its doc
/// comment, and whose state is the machine's (the sysctls, the task list, <c>oom_victims</c>,
/// <c>oom_killer_disabled</c>, the oom_reaper's list and timers — see <see cref="OomMachine"/>). Functions the
/// kernel spells with two leading underscores are named here with a <c>Do</c> prefix (<c>__oom_kill_process</c>
/// ↔ <see cref="DoOomKillProcess(OomTask, string)"/>). Results come back as values: <see cref="OutOfMemory"/>
/// returns what the call did, the reaper's functions what each pass did.
/// </summary>
public sealed partial class OomKiller
{
    private readonly OomMachine m;
    private readonly MemCgroups memCgroups;

    /// <summary>The OOM killer of <paramref name="machine"/> (<c>machine.Killer</c> reaches the same).</summary>
    public OomKiller(OomMachine machine)
    {
        m = machine ?? throw new System.ArgumentNullException(nameof(machine));
        memCgroups = new MemCgroups(machine);
    }

    /// <summary>The machine whose kernel this is.</summary>
    public OomMachine Machine => m;

    /// <summary>mm/memcontrol.c over the same machine, the one this killer charges and scans through.</summary>
    internal MemCgroups MemCgroups => memCgroups;

    /// <summary>Comm and oom_score_adj of the context that allocates when no task is given (a kworker).</summary>
    public const string KernelWorkerComm = "kworker/0:1";

    /// <summary>Runs out_of_memory on this machine and gathers what happened into an outcome.</summary>
    public OomOutcome Invoke(OomControl oc)
    {
        int logStart = m.Log.Count;
        var result = OutOfMemory(oc);
        return new OomOutcome(m, oc, result, m.Log.Since(logStart));
    }
}
