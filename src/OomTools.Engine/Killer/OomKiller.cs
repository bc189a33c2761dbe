using OomTools.Engine.Model;

namespace OomTools.Engine.Killer;

/// <summary>
/// mm/oom_kill.c for one machine. Each method mirrors the kernel function named in its doc comment; the
/// machine plays the kernel's globals (sysctls, task list, oom_victims, oom_killer_disabled). Functions
/// the kernel spells with two leading underscores are named here with a <c>Do</c> prefix
/// (<c>__oom_kill_process</c> ↔ <see cref="DoOomKillProcess"/>).
/// </summary>
public sealed partial class OomKiller
{
    private readonly OomMachine m;

    internal OomKiller(OomMachine machine) => m = machine;

    /// <summary>Comm and oom_score_adj of the context that allocates when no task is given (a kworker).</summary>
    public const string KernelWorkerComm = "kworker/0:1";

    /// <summary>Runs out_of_memory on this machine and gathers what happened into an outcome.</summary>
    public OomOutcome Invoke(OomControl oc)
    {
        int logStart = m.Log.Count;
        long killsBefore = m.OomKillCount;
        var killed = new System.Collections.Generic.List<OomTask>();
        killedSink = killed;
        bool result;
        try { result = OutOfMemory(oc); }
        finally { killedSink = null; }
        return new OomOutcome(m, oc, result, killed, m.Log.Since(logStart), lastEarlyReturn);
    }

    /// <summary>out_of_memory for an audit step: no candidate list, and the processes signalled.</summary>
    internal bool OutOfMemoryForAudit(OomControl oc, out System.Collections.Generic.List<OomTask> killed)
    {
        killed = new System.Collections.Generic.List<OomTask>();
        killedSink = killed;
        try { return OutOfMemory(oc); }
        finally { killedSink = null; }
    }

    private System.Collections.Generic.List<OomTask>? killedSink;
    private string? lastEarlyReturn;
}
