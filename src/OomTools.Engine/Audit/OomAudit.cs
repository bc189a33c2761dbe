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
    private const int SimLogCapacity = 64;

    /// <summary>
    /// The kill order under <paramref name="request"/> (memcg, nodemask, cpuset, gfp mask, current), until
    /// <paramref name="maxKills"/> OOMs have killed, <paramref name="untilFreed"/> pages are free, or nothing
    /// more can be killed. The machine itself is not changed.
    /// </summary>
    public static IReadOnlyList<KillOrderStep> KillOrder(OomMachine machine, OomRequest request, int maxKills, Pages? untilFreed = null)
    {
        if (maxKills < 1) throw new OomEngineException(OomError.InvalidArgument, $"The number of kills must be at least 1; {maxKills} is not.", maxKills);
        return Run(machine.Clone(), request, maxKills, untilFreed, null);
    }

    /// <summary>
    /// The kill order run on <paramref name="sim"/> itself (a copy the caller made and gives up: its processes are
    /// killed and exit), as <see cref="KillOrder"/> runs it; <paramref name="stop"/>, when given, ends it after the
    /// first step it holds for. An order's steps do not depend on how many are asked for: the run is one OOM after
    /// another, so stopping early gives the first steps of a longer run.
    /// </summary>
    internal static List<KillOrderStep> Run(OomMachine sim, OomRequest request, int maxKills, Pages? untilFreed, Func<List<KillOrderStep>, bool>? stop)
    {
        sim.OomDumpTasks = false; // the audit wants decisions, not task tables
        // Nor the copy's log, which the caller gives up with it: a small ring, not one grown to hold every line of
        // hundreds of OOMs (the reaper reads only the newest line back).
        if (sim.Log.Capacity > SimLogCapacity) sim.Log.Capacity = SimLogCapacity;
        // The OOMs and exits change the copy alone: with it as the ambient machine, the score tables of machines
        // audited on other threads stay trusted (and the copy's own follows its kills and exits).
        using var scope = AmbientMachine.Enter(sim);
        var steps = new List<KillOrderStep>();
        long total = 0;
        var oc = new OomControl();
        while (steps.Count < maxKills && (untilFreed is null || total < untilFreed.Value.Value))
        {
            var step = Oom(sim, request.ControlFor(sim, oc), steps.Count + 1);
            if (step is null) break;
            long freed = Exit(sim, step.Killed);
            total += freed;
            step.Freed = new Pages(freed);
            step.TotalFreed = new Pages(total);
            steps.Add(step);
            if (stop is not null && Stops(stop, steps)) break;
        }
        return steps;
    }

    // The caller's test runs with no ambient machine (it is not the engine's code).
    private static bool Stops(Func<List<KillOrderStep>, bool> stop, List<KillOrderStep> steps)
    {
        using var none = AmbientMachine.Suspend();
        return stop(steps);
    }

    /// <summary>
    /// The first step of the kill order decided on <paramref name="machine"/> itself and undone
    /// (<see cref="OomMachine.WhatIf{T}"/>), without a copy: whom the first OOM chooses and kills, null when it kills
    /// nobody (the order is empty). Its <see cref="KillOrderStep.Freed"/> is not known (no one exits): zero.
    /// </summary>
    internal static KillOrderStep? FirstStep(OomMachine machine, OomRequest request)
    {
        // The what-if changes the machine alone, and puts it back: its own counters move, no other machine's.
        using var scope = AmbientMachine.Enter(machine);
        return machine.WhatIf(m =>
        {
            bool dump = m.OomDumpTasks;
            m.OomDumpTasks = false;
            try
            {
                return Oom(m, request.ControlFor(m), 1);
            }
            finally
            {
                m.OomDumpTasks = dump;
            }
        });
    }

    // One out_of_memory call: the step it makes (exits not yet run), or null when it killed nobody or panicked.
    private static KillOrderStep? Oom(OomMachine sim, OomControl oc, int number)
    {
        var result = sim.Killer.OutOfMemory(oc);
        var killed = result.AllKilled;
        if (!result.Result || oc.Chosen is null || killed.Count == 0 || sim.PanicMessage is not null) return null;
        var pids = new int[killed.Count];
        for (int i = 0; i < pids.Length; i++) pids[i] = killed[i].Pid;
        return new KillOrderStep
        {
            Step = number,
            Pid = oc.Chosen.Pid,
            Name = oc.Chosen.Comm,
            Points = oc.ChoseAllocatingTask ? null : oc.ChosenPoints,
            Killed = pids,
            Cgroup = oc.Chosen.Memcg.Path,
            PageSize = sim.PageSize,
        };
    }

    /// <summary>
    /// The killed processes exit; an mm whose last user leaves releases its own rss, swap and page tables, and the
    /// shared objects no survivor maps (<see cref="TaskExit.ExitMmap"/>): pages shared copy-on-write with a survivor,
    /// shared buffers another process still maps and linked tmpfs files are not freed by this kill.
    /// </summary>
    private static long Exit(OomMachine sim, IReadOnlyList<int> killed)
    {
        long freed = 0;
        var exit = sim.Exit;
        for (int i = 0; i < killed.Count; i++)
        {
            if (sim.FindTask(killed[i]) is not { } t) continue;
            freed += exit.DoExitReleased(t);
            // The copy's clock never moves: the exit and reaper timer the kill queued would never fall due, and
            // kept, the queue grew by two items an OOM for nothing.
            sim.Pending.Forget(t);
        }
        return freed;
    }
}
