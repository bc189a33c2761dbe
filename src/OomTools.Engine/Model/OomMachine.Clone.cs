using System;
using System.Collections.Generic;
using OomTools.Engine.Time;

namespace OomTools.Engine.Model;

public sealed partial class OomMachine
{
    /// <summary>
    /// A deep copy to try something on (what-if runs): the same tasks, mms (still shared where they were),
    /// cgroups, cpusets, sysctls, clock reading and log, changing independently of this machine.
    /// </summary>
    public OomMachine Clone()
    {
        var copy = (OomMachine)MemberwiseClone();
        long? inUse = KeptMemoryInUse();
        ResetVersionsOf(copy);
        // Building the copy changes only new objects: their setters move the copy's counters, not the process-wide
        // ones that every other machine's score table checks (audits on other threads clone too).
        using (AmbientMachine.Enter(copy)) CopyInto(copy);
        // The same tasks and mms: the same memory in use, when this machine's sum is current.
        if (inUse is { } sum) copy.KeepMemoryInUse(sum);
        return copy;
    }

    private void CopyInto(OomMachine copy)
    {
        copy.Clock = Clock is ManualClock mc ? mc.Clone() : Clock;
        copy.Log = Log.CloneWith(copy.Clock);
        copy.OomNotifiers = new List<Func<long>>(OomNotifiers);
        copy.OomKillRateLimit = OomKillRateLimit.Clone();
        copy.PagefaultRateLimit = PagefaultRateLimit.Clone();
        copy.nodes = new List<NumaNode>(nodes);

        var cgMap = new Dictionary<MemoryCgroup, MemoryCgroup>();
        copy.memcgs = new Dictionary<string, MemoryCgroup>(StringComparer.Ordinal);
        foreach (var cg in RootMemcg.SubtreePreOrder())
        {
            var twin = new MemoryCgroup(cg.Name, cg.Parent is null ? null : cgMap[cg.Parent], PageCounterMax)
            {
                PageSize = cg.PageSize, MemoryMax = cg.MemoryMax, SwapMax = cg.SwapMax, MemswMax = cg.MemswMax, Swappiness = cg.Swappiness,
                OomGroup = cg.OomGroup, Usage = cg.Usage, OomKillEvents = cg.OomKillEvents, OomGroupKillEvents = cg.OomGroupKillEvents,
                Oom = cg.Oom, OomKillDisable = cg.OomKillDisable, underOom = cg.underOom,
            };
            cgMap[cg] = twin;
            copy.memcgs[cg.Path] = twin;
        }
        copy.RootMemcg = cgMap[RootMemcg];
        copy.RootMemcg.tasks.Follow(copy);

        var csMap = new Dictionary<Cpuset, Cpuset>();
        copy.cpusets = new Dictionary<string, Cpuset>(StringComparer.Ordinal);
        var stack = new Stack<Cpuset>();
        stack.Push(RootCpuset);
        while (stack.Count > 0)
        {
            var cs = stack.Pop();
            var twin = new Cpuset(cs.Name, cs.Parent is null ? null : csMap[cs.Parent], cs.Mems, cs.Hardwall);
            csMap[cs] = twin;
            copy.cpusets[cs.Path] = twin;
            for (int i = cs.Children.Count - 1; i >= 0; i--) stack.Push(cs.Children[i]);
        }
        copy.RootCpuset = csMap[RootCpuset];

        // An mm reached more than once (shared by processes, mapping shared objects, or a victim's oom_mm) is copied
        // once and looked up after; the others (most: an mm of one process) are reached only through their process
        // and copied without a dictionary entry each (a copy is made for every audit).
        HashSet<MemoryDescriptor>? victimMms = null;
        foreach (var t in tasks) if (t.OomMm is { } oomMm) (victimMms ??= new HashSet<MemoryDescriptor>()).Add(oomMm);
        var mmMap = new Dictionary<MemoryDescriptor, MemoryDescriptor>();
        MemoryDescriptor? MapMm(MemoryDescriptor? mm)
        {
            if (mm is null) return null;
            if (!mmMap.TryGetValue(mm, out var twin)) mmMap[mm] = twin = mm.Clone();
            return twin;
        }
        MemoryDescriptor? MapOwnMm(MemoryDescriptor? mm) =>
            mm is not null && mm.processes == 1 && mm.Shared.Count == 0 && (victimMms is null || !victimMms.Contains(mm))
                ? mm.Clone()
                : MapMm(mm);

        copy.tasks = new List<OomTask>(tasks.Count);
        copy.byPid = new PidTable();
        foreach (var t in tasks)
        {
            var twin = t.CloneShallow();
            twin.Mm = MapOwnMm(t.Mm);
            twin.OomMm = MapMm(t.OomMm);
            twin.Memcg = cgMap[t.Memcg];
            twin.Cpuset = csMap[t.Cpuset];
            copy.tasks.Add(twin);
            copy.byPid.Add(twin, copy.tasks);
        }
        var taskMap = new TaskTwins(this, copy);
        CloneSharedInto(copy, mm => MapMm(mm)!, cg => cgMap[cg]);
        copy.OomReaperThread = OomReaperThread?.CloneMapped(taskMap);
        copy.Pending = Pending.CloneMapped(taskMap);
        copy.memcgOomWaitq = CloneMemcgOomWaitq(taskMap, cgMap);
        // Each cgroup keeps its own arrival order, which can differ from fork order after moves.
        foreach (var cg in RootMemcg.SubtreePreOrder())
            cg.tasks.CopyTo(cgMap[cg].tasks, taskMap);
    }
}
