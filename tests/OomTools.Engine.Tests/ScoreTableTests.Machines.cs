using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using OomTools.Engine.Audit;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>
/// The score tables and kept sums of several machines at once: an engine operation on one machine moves that
/// machine's own counters (Model/AmbientMachine), so another machine's table stays trusted; every change that may
/// reach another machine (a user's change, a notifier, an OOM handed another machine's task) still moves the
/// process-wide one. Two machines changed alternately, and from two threads, keep choosing as the reference does.
/// </summary>
public partial class ScoreTableTests
{
    [Fact]
    public void TwoMachines_ChangedAlternately_TablesChooseAsTheReference()
    {
        int kept = 0;
        for (int seed = 1; seed <= Seeds / 5; seed++)
        {
            var rng = new Random(seed * 7331);
            var pair = new[] { RandomMachine(rng), RandomMachine(rng) };
            for (int round = 0; round < 16; round++)
            {
                int x = rng.Next(2);
                var (m, other) = (pair[x], pair[1 - x]);
                // The other machine's table current before the change, so that a stale one would show.
                var otherTable = ScoreTable.For(other);
                bool current = otherTable.Ready(other.Killer, other, always: true);
                other.MemoryInUse();
                ChangeOneOf(m, other, rng, foreign: true);
                if (current && otherTable.IsCurrent(other)) kept++;
                foreach (var each in pair) AssertTableAgrees(each, rng, seed, round);
            }
        }
        // The property means nothing if no table outlived a change to the other machine.
        Assert.True(kept > Seeds, $"only {kept} tables outlived a change to the other machine");
    }

    [Fact]
    public void TwoMachines_ChangedFromTwoThreads_TablesChooseAsTheReference()
    {
        var errors = new List<Exception>();
        var threads = Enumerable.Range(0, 2).Select(k => new Thread(() =>
        {
            try
            {
                for (int seed = 1; seed <= Seeds / 10; seed++)
                {
                    var rng = new Random(seed * 92821 + k);
                    var m = RandomMachine(rng);
                    for (int round = 0; round < 12; round++)
                    {
                        ChangeOneOf(m, null, rng, foreign: false);
                        AssertTableAgrees(m, rng, seed * 2 + k, round);
                    }
                }
            }
            catch (Exception e)
            {
                lock (errors) errors.Add(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(errors);
    }

    [Fact]
    public void Audit_OfOneMachine_LeavesAnotherMachinesTableAndSumCurrent()
    {
        var (a, b, tableB) = TwoFleetMachines();
        long inUse = b.MemoryInUse().Value;
        var stampB = ScoreVersion.Current(b);

        var request = new OomRequest();
        var report = OomProtection.Assess(a, a.GetTask(105), request, 2);
        OomAudit.KillOrder(a, request, 3);
        a.WhatIf(w => w.Killer.Invoke(new OomControl()));
        var copy = a.Clone();
        copy.RemoveTask(copy.Tasks[3]);

        Assert.True(report.MaxSafeOomScoreAdj is not null);
        Assert.True(stampB == ScoreVersion.Current(b), "the audit of a moved a counter b's table reads");
        Assert.True(tableB.IsCurrent(b), "b's table is to be built again after an audit of a");
        Assert.Equal(inUse, b.KeptMemoryInUse());
        // The audit's own changes to a (the adj tried and given back, the what-if OOMs and their undo) are followed.
        Assert.True(ScoreTable.For(a).IsCurrent(a), "a's table did not follow the audit's changes");
        AssertTableAgrees(a, new Random(1), 0, 0);
    }

    [Fact]
    public void Notifier_ChangingAnotherMachine_DuringAnAudit_IsSeenByItsTable()
    {
        var (a, b, tableB) = TwoFleetMachines();
        var top = b.Tasks.OrderByDescending(t => t.Mm?.AnonPages.Value ?? 0).First();
        // The caller's code, run inside the audit's OOMs on a's copy: its change to b moves the process-wide counter.
        a.Killer.RegisterOomNotifier(() => { top.OomScoreAdj = OomScoreAdj.From(-1000); return 0; });
        OomAudit.KillOrder(a, new OomRequest(), 1);

        Assert.False(tableB.IsCurrent(b));
        var oc = Prepare(b, new OomControl());
        b.Killer.SelectBadProcess(oc);
        Assert.NotSame(top, oc.Chosen);
        AssertTableAgrees(b, new Random(2), 0, 0);
    }

    [Fact]
    public void Oom_HandedAnotherMachinesTask_IsSeenByThatMachinesTable()
    {
        var (a, b, tableB) = TwoFleetMachines();
        var exiting = b.GetTask(110);
        exiting.GroupExiting = true; // task_will_free_mem: the OOM marks it a victim instead of scanning

        a.WhatIf(w =>
        {
            w.Killer.OutOfMemory(new OomControl { Current = exiting });
            return tableB.Ready(b.Killer, b, always: true);
        });
        AssertTableAgrees(b, new Random(3), 0, 0);
        a.Killer.OutOfMemory(new OomControl { Current = exiting });
        Assert.True(exiting.MemDie);
        Assert.False(tableB.IsCurrent(b));
        AssertTableAgrees(b, new Random(4), 0, 1);
    }

    // Two machines like a fleet's (a few hundred processes of varied sizes and adjs), the second's table current.
    private static (OomMachine A, OomMachine B, ScoreTable TableB) TwoFleetMachines()
    {
        var pair = new OomMachine[2];
        for (int k = 0; k < 2; k++)
        {
            var m = pair[k] = TestMachines.Machine(ram: 2_000_000);
            for (int i = 0; i < 200; i++) m.Add(100 + i, anon: 500 + (i * 7919 % 4000), adj: (i % 5 - 2) * 100);
        }
        var table = ScoreTable.For(pair[1]);
        Assert.True(table.Ready(pair[1].Killer, pair[1], always: true));
        return (pair[0], pair[1], table);
    }

    // The table (built or followed) chooses as the reference for every kind of OOM, and the kept sum is the sum.
    private static void AssertTableAgrees(OomMachine m, Random rng, int seed, int round)
    {
        foreach (var make in Requests(m, rng)) ChoosesAsReference(m, make, seed, round);
        if (m.UsedPages is null) Assert.True(m.SumMemoryInUse() == m.MemoryInUse().Value, $"seed {seed}, round {round}: memory in use");
    }

    // One change to m of the kinds an audit, a runbook or a user makes: engine operations that change m alone, user
    // changes, and (when foreign) ones that reach the other machine from m's operations.
    private static void ChangeOneOf(OomMachine m, OomMachine? other, Random rng, bool foreign)
    {
        var tasks = m.Tasks.ToList();
        var t = tasks.Count > 0 ? tasks[rng.Next(tasks.Count)] : null;
        bool alive = m.PanicMessage is null;
        var request = new OomRequest();
        switch (rng.Next(foreign ? 13 : 10))
        {
            case 0: if (alive) m.Killer.OutOfMemory(new OomControl { Order = rng.Next(3) == 0 ? -1 : 0 }); break;
            case 1: if (alive) m.WhatIf(w => w.Killer.Invoke(new OomControl { RecordCandidates = rng.Next(2) == 0 })); break;
            case 2: if (alive) OomAudit.FirstStep(m, request); break;
            case 3: if (alive) OomAudit.KillOrder(m, request, 1 + rng.Next(3)); break;
            case 4:
                var audited = tasks.Where(x => x.Mm is not null && !x.IsKernelThread && !x.IsGlobalInit).ToList();
                if (alive && audited.Count > 0 && tasks.Count > 1) OomProtection.Assess(m, audited[rng.Next(audited.Count)], request, 1 + rng.Next(2));
                break;
            case 5: if (t is not null) m.RemoveTask(t); break;
            case 6:
                var copy = m.Clone();
                // The copy's sum is kept from m's (when current): it must be the copy's own.
                if (copy.UsedPages is null) Assert.Equal(copy.SumMemoryInUse(), copy.MemoryInUse().Value);
                if (alive && rng.Next(2) == 0) copy.Killer.OutOfMemory(new OomControl());
                AssertTableAgrees(copy, rng, -1, 0);
                break;
            case 7: m.Timeline.StepBy(m.DefaultExitLatency); break;
            case 8:
                // Pages shared copy-on-write by a few mms: a copy maps them again, an exit may free them.
                var mappers = tasks.Where(x => x.Mm is { } mm && mm.AnonPages.Value - mm.sharedAnon > 1).Select(x => x.Mm!).Distinct().Take(1 + rng.Next(3)).ToList();
                if (mappers.Count == 0) break;
                long pages = 1 + rng.Next((int)Math.Min(int.MaxValue - 1, mappers.Min(mm => mm.AnonPages.Value - mm.sharedAnon)));
                var pool = m.CreateShared($"pool{m.Shared.Count}:{rng.Next()}", SharedMemoryKind.CowAnon, new Pages(pages), m.RootMemcg);
                foreach (var mm in mappers) m.MapShared(mm, pool);
                break;
            case 10 when other is not null && other.Tasks.FirstOrDefault(x => x.Mm is not null) is { } theirs && alive:
                // An OOM on m handed the other machine's exiting task: it marks that task.
                theirs.GroupExiting = true;
                if (rng.Next(2) == 0)
                {
                    m.WhatIf(w =>
                    {
                        w.Killer.OutOfMemory(new OomControl { Current = theirs });
                        // The other machine's table stamped with the mark on: the undo must move it again.
                        return ScoreTable.For(other).Ready(other.Killer, other, always: true);
                    });
                }
                else m.Killer.OutOfMemory(new OomControl { Current = theirs });
                break;
            case 11 when other is not null && other.Tasks.Count > 0 && alive:
                // A notifier of m's changing the other machine, run inside m's audit.
                var victim = other.Tasks[rng.Next(other.Tasks.Count)];
                Func<long> notifier = () => { victim.OomScoreAdj = OomScoreAdj.From(Adjs[rng.Next(Adjs.Length)]); return 0; };
                m.Killer.RegisterOomNotifier(notifier);
                try
                {
                    if (rng.Next(2) == 0) OomAudit.KillOrder(m, request, 2);
                    else OomAudit.FirstStep(m, request);
                }
                finally
                {
                    m.Killer.UnregisterOomNotifier(notifier);
                }
                break;
            default: Mutate(m, rng); break;
        }
    }
}
