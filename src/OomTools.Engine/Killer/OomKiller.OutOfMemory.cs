using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Killer;

public sealed partial class OomKiller
{
    /// <summary>
    /// <c>out_of_memory()</c>: every early return of the kernel's, then the constraint, panic_on_oom,
    /// oom_kill_allocating_task, the scan and the kill. <see cref="OutOfMemoryResult.Result"/> is the kernel's
    /// value: true when progress was made (memory freed by a notifier, a victim chosen or already on its way out).
    /// </summary>
    public OutOfMemoryResult OutOfMemory(OomControl oc)
    {
        if (oc is null) throw new System.ArgumentNullException(nameof(oc));
        var result = new OutOfMemoryResult();
        if (m.PanicMessage is not null)
            throw new OomEngineException(OomError.InvalidState, $"Machine '{m.Name}' has panicked ({m.PanicMessage}); it runs no more OOMs.", m);
        // A global scan weighs every task: room for all of them up front.
        if (oc.Candidates is null && oc.RecordCandidates) oc.Candidates = new CandidateLog(oc.IsMemcgOom ? 0 : m.Tasks.Count);

        if (m.OomKillerDisabled) return result.Return(false, "the OOM killer is disabled (oom_killer_disable)");

        if (!oc.IsMemcgOom)
        {
            long freed = 0;
            // A notifier is the caller's code: it runs with no ambient machine, whatever the OOM runs under.
            if (m.OomNotifiers.Count > 0)
                using (AmbientMachine.Suspend())
                    foreach (var notifier in m.OomNotifiers) freed += notifier();
            // Got some memory back in the last second.
            // What the notifiers freed is back with the page allocator.
            if (freed > 0 && m.UsedPages is { } used) m.UsedPages = new Pages(System.Math.Max(0, used.Value - freed));
            if (freed > 0 && !oc.IsSysrqOom) return result.Return(true, $"an OOM notifier freed {freed} pages");
        }

        // From here on out_of_memory changes only the tasks it marks (through BeforeOomChange): recorded, so the
        // score table is kept in step with the kill instead of built again. When the control names nothing of
        // another machine, those are changes to this machine alone: made with it as the ambient machine, they leave
        // the score tables of machines on other threads trusted.
        using var scope = OwnsControl(oc) ? AmbientMachine.Enter(m) : AmbientMachine.Suspend();
        m.ScoreChanges.Begin();
        try
        {
            return Decide(oc, result);
        }
        finally
        {
            m.ScoreChanges.End();
        }
    }

    // The allocating task and the memory cgroup are this machine's (a caller may hand any task or cgroup in): the
    // decision then marks only this machine's tasks.
    private bool OwnsControl(OomControl oc) =>
        (oc.Current is not { } current || ReferenceEquals(m.FindTask(current.Pid), current)) &&
        (oc.Memcg is not { } memcg || ReferenceEquals(m.FindCgroup(memcg.Path), memcg));

    private OutOfMemoryResult Decide(OomControl oc, OutOfMemoryResult result)
    {
        // A dying allocator gets the reserves so it can exit quickly and free its memory.
        if (oc.Current is { } current && TaskWillFreeMem(current))
        {
            MarkOomVictim(current);
            QueueOomReaper(current);
            return result.Return(true, $"the allocating task {current} is already exiting and was given the memory reserves");
        }

        // The OOM killer does not compensate for IO-less reclaim (a memcg OOM goes on regardless).
        if (!oc.GfpMask.Has(GfpMask.__GFP_FS) && !oc.IsMemcgOom)
            return result.Return(true, "the allocation cannot do filesystem I/O (no __GFP_FS), so nothing is killed");

        oc.Constraint = ConstrainedAlloc(oc);
        if (oc.Constraint != OomConstraint.MemoryPolicy) oc.Nodemask = null;
        if (CheckPanicOnOom(oc)) return result.Return(false);

        if (!oc.IsMemcgOom && m.OomKillAllocatingTask && oc.Current is { } cur && cur.LeaderMm is not null &&
            !OomUnkillableTask(cur) && OomCpusetEligible(cur, oc) && cur.oomScoreAdj != OomScoreAdj.MinValue)
        {
            oc.Chosen = cur;
            oc.ChoseAllocatingTask = true;
            OomKillProcess(oc, "Out of memory (oom_kill_allocating_task)", result);
            return result.Return(true);
        }

        SelectBadProcess(oc);
        oc.Candidates?.Rank(m.Scoring.TiesToLater);

        if (oc.Chosen is null && !oc.Aborted)
        {
            DumpHeader(oc);
            m.Log.Warn("Out of memory and no killable processes...");
            // A real allocation at the system level cannot make progress: the kernel gives up.
            if (!oc.IsSysrqOom && !oc.IsMemcgOom) Panic("System is deadlocked on memory");
        }
        if (oc.Chosen is not null)
            OomKillProcess(oc, oc.IsMemcgOom ? "Memory cgroup out of memory" : "Out of memory", result);
        return result.Return(oc.Chosen is not null || oc.Aborted);
    }

    /// <summary>
    /// <c>check_panic_on_oom()</c>: vm.panic_on_oom=1 panics for unconstrained OOMs, 2 for every OOM; never for
    /// SysRq-f. Returns true when the machine panicked.
    /// </summary>
    public bool CheckPanicOnOom(OomControl oc)
    {
        if (m.PanicOnOom == 0) return false;
        if (m.PanicOnOom != 2 && oc.Constraint != OomConstraint.None) return false;
        if (oc.IsSysrqOom) return false;
        DumpHeader(oc);
        Panic($"Out of memory: {(m.PanicOnOom == 2 ? "compulsory" : "system-wide")} panic_on_oom is enabled");
        return true;
    }

    private void Panic(string message)
    {
        m.Log.Write(Log.KernelLogLevel.Emerg, "Kernel panic - not syncing: " + message);
        m.PanicMessage = message;
    }

    /// <summary>
    /// <c>pagefault_out_of_memory()</c>: a VM_FAULT_OOM that reached the fault handler. A memcg OOM was handled
    /// on the charge path and a task with a fatal signal just dies; otherwise the kernel warns (rate-limited) and
    /// retries the fault. Returns whether the warning was printed.
    /// </summary>
    public bool PagefaultOutOfMemory(OomTask? current, bool memcgOomHandled = false)
    {
        if (memcgOomHandled) return false;
        if (current is not null && (current.GroupExiting || current.MemDie)) return false;
        if (!m.PagefaultRateLimit.Allow(m.Now, Log.RateLimit.DefaultInterval(m.Hz), m.Log)) return false;
        m.Log.Warn("Huh VM_FAULT_OOM leaked out to the #PF handler. Retrying PF");
        return true;
    }
}
