using System;
using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Exit;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Audit;

/// <summary>
/// What the kernel would do OOM after OOM: run out_of_memory on a copy of the machine, let every process it
/// killed exit (its memory freed), and go on — the order in which a leak or a storm takes processes down.
/// </summary>
public static class OomAudit
{
    /// <summary>
    /// The kill order under <paramref name="request"/> (memcg, nodemask, cpuset, gfp mask, current), until
    /// <paramref name="maxKills"/> OOMs have killed, <paramref name="untilFreed"/> pages are free, or nothing
    /// more can be killed. The machine itself is not changed.
    /// </summary>
    public static IReadOnlyList<KillOrderStep> KillOrder(OomMachine machine, OomRequest request, int maxKills, Pages? untilFreed = null)
    {
        if (maxKills < 1) throw new OomEngineException(OomError.InvalidArgument, $"The number of kills must be at least 1; {maxKills} is not.", maxKills);
        var sim = machine.Clone();
        sim.OomDumpTasks = false; // the audit wants decisions, not task tables
        var steps = new List<KillOrderStep>();
        long total = 0;
        while (steps.Count < maxKills && (untilFreed is null || total < untilFreed.Value.Value))
        {
            var oc = request.ControlFor(sim);
            var result = sim.Killer.OutOfMemory(oc);
            var killed = result.AllKilled;
            if (!result.Result || oc.Chosen is null || killed.Count == 0 || sim.PanicMessage is not null) break;
            long freed = Exit(sim, killed);
            total += freed;
            steps.Add(new KillOrderStep
            {
                Step = steps.Count + 1,
                Pid = oc.Chosen.Pid,
                Name = oc.Chosen.Comm,
                Points = oc.ChoseAllocatingTask ? null : oc.ChosenPoints,
                Killed = killed.Select(t => t.Pid).ToList(),
                Freed = new Pages(freed),
                TotalFreed = new Pages(total),
                Cgroup = oc.Chosen.Memcg.Path,
                PageSize = sim.PageSize,
            });
        }
        return steps;
    }

    /// <summary>
    /// The killed processes exit; an mm whose last user leaves releases its own rss, swap and page tables, and the
    /// shared objects no survivor maps (<see cref="TaskExit.ExitMmap"/>): pages shared copy-on-write with a survivor,
    /// shared buffers another process still maps and linked tmpfs files are not freed by this kill.
    /// </summary>
    private static long Exit(OomMachine sim, IReadOnlyList<OomTask> killed)
    {
        long freed = 0;
        var exit = sim.Exit;
        foreach (var t in killed)
        {
            if (sim.FindTask(t.Pid) is null) continue;
            freed += exit.DoExit(t).Released.Value;
        }
        return freed;
    }
}
