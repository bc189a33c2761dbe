using System;
using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Audit;
using OomTools.Engine.Exit;
using OomTools.Engine.Killer;
using OomTools.Engine.Log;
using OomTools.Engine.Model;
using OomTools.Engine.Timeline;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>
/// The score table (Killer/ScoreTable) against the task-by-task scan it stands in for: on random machines —
/// kernel threads, init, threads that dropped the mm, CLONE_VM sharers, vfork children, OOM-origin tasks, earlier
/// victims reaped or still exiting, oom_score_adj at its extremes, memcg, mempolicy and cpuset OOMs, SysRq-f, older
/// eras — and after each change made to them between two scans (so a stale table would show), select_bad_process
/// and Get-OomBadness -Pid's counted ranks give what the reference gives.
/// </summary>
[Collection(nameof(ProcessWideCounters))]
public partial class ScoreTableTests
{
    private const int Seeds = 2500;

    [Fact]
    public void SelectBadProcess_TableAndReference_ChooseTheSame()
    {
        int tableScans = 0;
        for (int seed = 1; seed <= Seeds; seed++)
        {
            var rng = new Random(seed);
            var m = RandomMachine(rng);
            for (int round = 0; round < 8; round++)
            {
                foreach (var make in Requests(m, rng))
                {
                    ChoosesAsReference(m, make, seed, round);
                    if (make().Memcg is null && ScoreTable.For(m).IsCurrent(m)) tableScans++;
                }
                Mutate(m, rng);
            }
        }
        // The property means nothing if the table was never used.
        Assert.True(tableScans > Seeds, $"only {tableScans} scans went through the table");
    }

    [Fact]
    public void RankedOnly_GivesTheRowsOfRanked()
    {
        for (int seed = 1; seed <= Seeds / 2; seed++)
        {
            var rng = new Random(seed * 7919);
            var m = RandomMachine(rng);
            for (int round = 0; round < 4; round++)
            {
                foreach (var make in Requests(m, rng))
                {
                    var all = BadnessRanking.Ranked(m, make());
                    var asked = m.Tasks.Where(_ => rng.Next(3) == 0).Take(1 + rng.Next(5)).ToList();
                    if (m.Tasks.Count > 0 && rng.Next(4) == 0) asked.Add(m.Tasks[rng.Next(m.Tasks.Count)]); // twice
                    var expected = all.Where(c => asked.Contains(c.Task)).ToList();
                    for (int pass = 0; pass < 2; pass++)
                    {
                        var got = BadnessRanking.RankedOnly(m, make(), asked);
                        Assert.Equal(expected.Select(Row), got.Select(Row));
                    }
                }
                Mutate(m, rng);
            }
        }
    }

    [Fact]
    public void SelectBadProcess_AfterAChange_DoesNotUseTheOldTable()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 300);
        var big = m.Add(101, anon: 500);
        for (int i = 0; i < 3; i++) m.Killer.SelectBadProcess(Prepare(m, new OomControl()));
        Assert.True(ScoreTable.For(m).IsCurrent(m));

        big.Mm!.AnonPages = new Pages(100);
        var oc = Prepare(m, new OomControl());
        m.Killer.SelectBadProcess(oc);

        Assert.Equal(100, oc.Chosen!.Pid);
        Assert.Equal(300, oc.ChosenPoints);
    }

    [Fact]
    public void MemoryInUse_KeptAcrossExitsAndKills_IsTheSum()
    {
        // The kept sum (Model/OomMachine.Memory) against the walk over every mm, read after every change, so that an
        // exit finds it current and keeps it in step (Exit/TaskExit) instead of summing again.
        for (int seed = 1; seed <= Seeds / 2; seed++)
        {
            var rng = new Random(seed * 104729);
            var m = RandomMachine(rng);
            m.UsedPages = null;
            for (int round = 0; round < 12; round++)
            {
                Assert.True(m.SumMemoryInUse() == m.MemoryInUse().Value, $"seed {seed}, round {round}");
                if (rng.Next(3) == 0 && m.PanicMessage is null)
                {
                    m.Killer.OutOfMemory(new OomControl());
                    Assert.True(m.SumMemoryInUse() == m.MemoryInUse().Value, $"seed {seed}, round {round}, after the OOM");
                    m.Timeline.StepUntilIdle();
                }
                else Mutate(m, rng);
            }
            Assert.Equal(m.SumMemoryInUse(), m.MemoryInUse().Value);
        }
    }

    [Fact]
    public void Table_KeptInStepWithKillsExitsAndUndo_GivesWhatTheReferenceGives()
    {
        // The rows a kill marks, a what-if's undo puts back and an exit takes out are followed one by one
        // (Model/ScoreJournal) instead of the table being built again: after random OOMs (what-if or not), exits and
        // other changes, the table — current without a rebuild whenever it followed — chooses as the reference does,
        // records the same candidates, keeps show_mem's swap sum and prints the same task table into a small ring.
        int followed = 0;
        for (int seed = 1; seed <= Seeds / 2; seed++)
        {
            var rng = new Random(seed * 31337);
            var m = RandomMachine(rng);
            var table = ScoreTable.For(m);
            var pending = new List<(CandidateLog Log, List<string> Rows, int Round)>();
            for (int round = 0; round < 12; round++)
            {
                table.Ready(m.Killer, m, always: true);
                bool before = table.IsCurrent(m);
                var tasks = m.Tasks.ToList();
                switch (rng.Next(6))
                {
                    case 0:
                    case 1:
                        if (m.PanicMessage is null) m.Killer.OutOfMemory(new OomControl { Order = rng.Next(3) == 0 ? -1 : 0 });
                        break;
                    case 2:
                        if (m.PanicMessage is null) m.WhatIf(w => w.Killer.Invoke(new OomControl { RecordCandidates = true }));
                        break;
                    case 3:
                        // A victim's exit (or any task's).
                        var dying = tasks.Where(t => t.GroupExiting).ToList();
                        if (dying.Count == 0) dying = tasks;
                        if (dying.Count > 0) m.RemoveTask(dying[rng.Next(dying.Count)]);
                        break;
                    case 4:
                        m.Timeline.StepBy(m.DefaultExitLatency);
                        break;
                    default:
                        Mutate(m, rng);
                        break;
                }
                string where = $"seed {seed}, round {round}";
                if (before && table.IsCurrent(m)) followed++;
                foreach (var make in Requests(m, rng))
                {
                    var reference = Prepare(m, make());
                    m.Killer.SelectBadProcessReference(reference);
                    var fast = Prepare(m, make());
                    m.Killer.SelectBadProcess(fast);
                    AssertSameChoice(seed, round, reference, fast);
                }
                var recorded = Prepare(m, new OomControl { Order = rng.Next(4) == 0 ? -1 : 0 });
                recorded.Candidates = new CandidateLog();
                var expected = Prepare(m, new OomControl { Order = recorded.Order });
                expected.Candidates = new CandidateLog();
                m.Killer.SelectBadProcess(recorded);
                m.Killer.SelectBadProcessReference(expected);
                // Read one or two rounds later, after more kills, exits and undos: the table has changed its rows since,
                // and the log sees them as they were at its scan.
                foreach (var (log, rows, at) in pending.Where(p => p.Round < round).ToList())
                {
                    Assert.True(rows.SequenceEqual(log.Select(Row)), $"{where}: candidates recorded in round {at} differ");
                    pending.RemoveAll(p => ReferenceEquals(p.Log, log));
                }
                if (rng.Next(2) == 0)
                    Assert.True(expected.Candidates.Select(Row).SequenceEqual(recorded.Candidates.Select(Row)), $"{where}: candidates differ");
                else pending.Add((recorded.Candidates, expected.Candidates.Select(Row).ToList(), round));
                if (table.SwapUsed(m) is { } swap)
                    Assert.True(OomMachine.DistinctMms(m.Tasks).Sum(mm => mm.SwapEntries.Value) == swap, $"{where}: swap in use");
                AssertSameTaskTable(m, where);
            }
        }
        Assert.True(followed > Seeds, $"the table followed only {followed} changes");
    }

    [Fact]
    public void WhatIf_KillAndUndo_LeaveTheTableCurrent()
    {
        var m = TestMachines.Machine();
        for (int i = 0; i < 50; i++) m.Add(100 + i, anon: 100 + i * 10);
        var table = ScoreTable.For(m);
        Assert.True(table.Ready(m.Killer, m, always: true));
        var o = m.WhatIf(w => w.Killer.Invoke(new OomControl { RecordCandidates = true }));
        Assert.Equal(149, o.Victim!.Pid);
        Assert.Equal(50, o.Candidates.Count);
        Assert.True(table.IsCurrent(m), "the what-if's kill and undo were followed");
        var real = m.Killer.Invoke(new OomControl());
        m.RemoveTask(real.Victim!);
        Assert.True(table.IsCurrent(m), "the kill and the exit were followed");
        var next = Prepare(m, new OomControl());
        m.Killer.SelectBadProcess(next);
        Assert.Equal(148, next.Chosen!.Pid);
    }

    // dump_tasks into a ring smaller than the table, with the score table (rows only counted until the last ones)
    // and on a copy without it (every row written): the same records kept, the same counts.
    private static void AssertSameTaskTable(OomMachine m, string where)
    {
        if (m.Tasks.Count < 3) return;
        var copy = m.Clone();
        // The copy has no table: it writes every row.
        Assert.True(ScoreTable.For(m).Ready(m.Killer, m, always: true), $"{where}: table not built");
        int capacity = 1 + m.Tasks.Count / 3;
        var oc = Prepare(m, new OomControl());
        var ocCopy = Prepare(copy, new OomControl());
        var log = m.Log;
        var logCopy = copy.Log;
        log.Capacity = capacity;
        logCopy.Capacity = capacity;
        m.Killer.DumpTasks(oc);
        copy.Killer.DumpTasks(ocCopy);
        Assert.True(log.Count == logCopy.Count && log.Dropped == logCopy.Dropped, $"{where}: log counts {log.Count}/{log.Dropped} vs {logCopy.Count}/{logCopy.Dropped}");
        Assert.True(log.Entries.Select(e => e.ToString()).SequenceEqual(logCopy.Entries.Select(e => e.ToString())), $"{where}: task table rows differ");
        log.Capacity = KernelLog.DefaultCapacity;
    }

    private static OomControl Prepare(OomMachine m, OomControl oc)
    {
        // as out_of_memory does before select_bad_process
        oc.Constraint = m.Killer.ConstrainedAlloc(oc);
        if (oc.Constraint != OomConstraint.MemoryPolicy) oc.Nodemask = null;
        return oc;
    }

    // select_bad_process as the reference chooses for make's OOM, twice: the first may walk the objects, the second
    // then builds the table and scans it.
    private static void ChoosesAsReference(OomMachine m, Func<OomControl> make, int seed, int round)
    {
        var reference = Prepare(m, make());
        m.Killer.SelectBadProcessReference(reference);
        for (int pass = 0; pass < 2; pass++)
        {
            var fast = Prepare(m, make());
            m.Killer.SelectBadProcess(fast);
            AssertSameChoice(seed, round, reference, fast);
        }
    }

    private static void AssertSameChoice(int seed, int round, OomControl reference, OomControl fast)
    {
        string where = $"seed {seed}, round {round}";
        Assert.True(reference.Aborted == fast.Aborted, $"{where}: aborted {reference.Aborted} vs {fast.Aborted}");
        Assert.True(ReferenceEquals(reference.Chosen, fast.Chosen), $"{where}: chose {reference.Chosen} vs {fast.Chosen}");
        Assert.True(reference.ChosenPoints == fast.ChosenPoints, $"{where}: points {reference.ChosenPoints} vs {fast.ChosenPoints}");
        if (reference.Aborted) Assert.True(ReferenceEquals(reference.AbortedBy, fast.AbortedBy), $"{where}: aborted by {reference.AbortedBy} vs {fast.AbortedBy}");
    }

    private static string Row(OomCandidate c) =>
        $"{c.Pid} {c.Order} {c.Points} {c.Reason} {c.RssPages} {c.SwapPages} {c.PageTablePages} {c.OomScoreAdj} " +
        $"{c.AdjPages} {c.RootBonus} {c.TotalPages} {c.OomScore} {c.Rank} {c.Name} {c.Cgroup}";

    /// <summary>The OOMs to ask about: global, SysRq-f, and when the machine has them a memcg, a mempolicy and a cpuset one.</summary>
    private static IEnumerable<Func<OomControl>> Requests(OomMachine m, Random rng)
    {
        yield return () => new OomControl();
        yield return () => new OomControl { Order = -1 };
        if (m.Tasks.FirstOrDefault(t => !t.IsKernelThread) is { } current)
            yield return () => new OomControl { Current = current };
        var sub = m.Cgroups.Where(c => c.Path != "/").ToList();
        if (sub.Count > 0)
        {
            var cg = sub[rng.Next(sub.Count)];
            yield return () => new OomControl { Memcg = cg };
        }
        if (m.Nodes.Count > 1)
        {
            var mask = new NodeMask(1UL << rng.Next(m.Nodes.Count));
            yield return () => new OomControl { Nodemask = mask };
        }
    }

    private static OomMachine RandomMachine(Random rng)
    {
        // Below 1000 pages of RAM + swap the adj does nothing (totalpages / 1000 is 0); above, it weighs.
        long ram = rng.Next(4) switch { 0 => rng.Next(1, 1000), 1 => rng.Next(1000, 5000), _ => rng.Next(5000, 2_000_000) };
        bool numa = rng.Next(3) == 0;
        var m = TestMachines.Machine(ram: ram, swap: rng.Next(2) == 0 ? 0 : rng.Next(0, 100_000),
            nodes: numa ? new[] { ram / 2, ram - ram / 2 } : null);
        if (rng.Next(4) == 0) m.UseKernel(new Version(rng.Next(2) == 0 ? "4.9" : "3.2"));
        if (rng.Next(3) == 0) { m.CreateCgroup("/a"); m.CreateCgroup("/a/b"); }
        if (numa && rng.Next(2) == 0) m.CreateCpuset("/cs", new NodeMask(1));
        int n = rng.Next(0, 40);
        for (int i = 0; i < n; i++) AddRandom(m, rng);
        return m;
    }

    private static readonly int[] Adjs = { 0, 0, 0, -1000, 1000, -999, 999, 500, -500, 1, -1 };

    private static void AddRandom(OomMachine m, Random rng)
    {
        var others = m.Tasks.Where(t => t.Mm is not null).ToList();
        var spec = new OomTaskSpec
        {
            Name = "t",
            OomScoreAdj = OomScoreAdj.From(rng.Next(3) == 0 ? rng.Next(-1000, 1001) : Adjs[rng.Next(Adjs.Length)]),
        };
        bool shares = others.Count > 0 && rng.Next(6) == 0;
        if (shares) spec.SharesMemoryWith = others[rng.Next(others.Count)].Pid;
        else
        {
            // Few distinct sizes, so that ties are common.
            spec.AnonPages = new Pages(rng.Next(3) == 0 ? rng.Next(0, 4) * 100 : rng.Next(0, 5000));
            spec.FilePages = new Pages(rng.Next(2) == 0 ? 0 : rng.Next(0, 300));
            spec.ShmemPages = new Pages(rng.Next(5) == 0 ? rng.Next(0, 300) : 0);
            spec.SwapEntries = new Pages(rng.Next(4) == 0 ? rng.Next(0, 500) : 0);
            spec.PageTableBytes = rng.Next(0, 4) * 4096L + (rng.Next(2) == 0 ? rng.Next(0, 4096) : 0);
        }
        int kind = rng.Next(30);
        if (kind == 0 && !m.Tasks.Any(t => t.IsGlobalInit)) spec.GlobalInit = true;
        else if (kind == 1) spec.KernelThread = true;
        else if (kind == 2) spec.InVfork = true;
        else if (kind == 3) spec.OomOrigin = true;
        else if (kind == 4 && !shares) spec.OomSkip = true;
        else if (kind == 5) spec.OomVictim = true;
        if (rng.Next(8) == 0)
        {
            spec.Threads = rng.Next(2, 5);
            spec.DetachedThreads = rng.Next(0, spec.Threads + 1);
        }
        var cgroups = m.Cgroups.ToList();
        spec.Cgroup = cgroups[rng.Next(cgroups.Count)].Path;
        if (m.CpusetsEnabled && rng.Next(2) == 0) spec.Cpuset = "/cs";
        if (m.Nodes.Count > 1 && rng.Next(5) == 0) spec.MempolicyBind = new NodeMask(1UL << rng.Next(m.Nodes.Count));
        m.AddTask(spec);
    }

    /// <summary>One change of the kinds the engine makes between two OOMs.</summary>
    private static void Mutate(OomMachine m, Random rng)
    {
        var tasks = m.Tasks.ToList();
        var t = tasks.Count > 0 ? tasks[rng.Next(tasks.Count)] : null;
        switch (rng.Next(16))
        {
            case 13: if (t is not null && m.Nodes.Count > 1) t.MempolicyBind = rng.Next(2) == 0 ? null : new NodeMask(1UL << rng.Next(m.Nodes.Count)); break;
            case 14: if (t is not null && m.CpusetsEnabled) m.MoveTask(t, t.Cpuset.Path == "/" ? m.FindCpuset("/cs")! : m.RootCpuset); break;
            case 15: if (m.CpusetsEnabled) m.FindCpuset("/cs")!.Mems = new NodeMask(1UL << rng.Next(m.Nodes.Count)); break;
            case 0: AddRandom(m, rng); break;
            case 1: if (t is not null) m.RemoveTask(t); break;
            case 2: if (t is not null) t.OomScoreAdj = OomScoreAdj.From(Adjs[rng.Next(Adjs.Length)]); break;
            case 3: if (t?.Mm is { } mm) mm.AnonPages = new Pages(rng.Next(0, 6000)); break;
            case 4: if (t?.Mm is { } mm2) mm2.SwapEntries = new Pages(rng.Next(0, 600)); break;
            case 5: if (t?.Mm is { } mm3) mm3.PageTableBytes = rng.Next(0, 5) * 4096L; break;
            case 6: if (t?.Mm is { } mm4) mm4.Flags ^= MmFlags.OomSkip; break;
            case 7: if (t is not null) t.InVfork = !t.InVfork; break;
            case 8: if (t is not null) t.OomOrigin = !t.OomOrigin; break;
            case 9: if (t is not null && !t.IsGlobalInit) t.IsKernelThread = !t.IsKernelThread; break;
            case 10: if (m.PanicMessage is null) m.Killer.OutOfMemory(new OomControl()); break;
            case 11:
                foreach (var v in tasks.Where(x => x.OomMm is not null)) m.Killer.OomReapTaskMm(v, v.OomMm!);
                break;
            default: if (t?.Mm is { } mm5) mm5.FilePages = new Pages(rng.Next(0, 300)); break;
        }
    }
}
