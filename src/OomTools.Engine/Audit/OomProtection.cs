using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Audit;

/// <summary>
/// Test-OomProtection's arithmetic: ranks a process in its OOM domain, runs the kill order, and searches for the
/// highest oom_score_adj that keeps it alive through the first N kills (a lower adj can only rank it lower, so
/// the search bisects -999..1000). A service (several processes picked by one name, cgroup or pid) is assessed as
/// one: it is as protected as the first of its processes to die, and its safe adj is one value given to all of
/// them, as systemd's OOMScoreAdjust= gives it.
/// </summary>
public static class OomProtection
{
    /// <summary>
    /// Assesses <paramref name="task"/> in the OOM <paramref name="request"/> names: its oom_badness rank and the
    /// margin in pages to the process ranked above it, its place in the kill order, whether it survives the first
    /// <paramref name="kills"/> kills, and the highest oom_score_adj with which it still would. The kill orders run
    /// on copies: <paramref name="machine"/> is not changed.
    /// </summary>
    public static ProtectionReport Assess(OomMachine machine, OomTask task, OomRequest request, int kills) =>
        AssessService(machine, $"pid {task.Pid}", new[] { task }, request, kills);

    /// <summary>
    /// Assesses the processes of one service (<paramref name="service"/> names how they were picked: a process
    /// name, a cgroup path, a pid) as a whole: one row for the first of them to die (or, when none dies, the one
    /// ranked highest), how many there are, the highest oom_score_adj that, given to every one of them, keeps all
    /// of them out of the first <paramref name="kills"/> kills, and, in <see cref="ProtectionReport.Processes"/>,
    /// each process's own row when there are several. The machine is not changed.
    /// </summary>
    public static ProtectionReport AssessService(OomMachine machine, string service, IReadOnlyList<OomTask> tasks, OomRequest request, int kills)
    {
        if (tasks.Count == 0) throw new OomEngineException(OomError.InvalidArgument, $"Service '{service}' has no processes to assess.", service);
        var ranking = RankedScores.Of(machine, request.ControlFor(machine));
        var pids = new HashSet<int>(tasks.Select(t => t.Pid));
        // Weighed now, before the kill orders: the tasks the rows read (each process, the one ranked above it, and the
        // ones the gaps are measured to).
        var ranked = tasks.Select(t => Ranked(ranking, t, kills, pids.Count == 1 ? pids : new HashSet<int> { t.Pid })).ToList();
        var serviceTarget = pids.Count == 1 ? ranked[0].Target : ranking.NthOutside(pids, kills);
        // Run until they die or nothing is left to kill, to place each in the kill order (once for all of them).
        var order = KillOrderUntilDead(machine, request, pids);
        int? safe = MaxSafeAdj(machine, pids, request, kills);

        var rows = tasks.Select((t, i) => Row(machine, t, ranked[i], order, request, kills, pids.Count == 1 ? safe : MaxSafeAdj(machine, new HashSet<int> { t.Pid }, request, kills))).ToList();
        // The service's row is its weakest process: the first to die, else the one ranked highest.
        var first = rows.Where(r => r.KillPosition is not null).OrderBy(r => r.KillPosition).FirstOrDefault()
            ?? rows.Where(r => r.Rank > 0).OrderBy(r => r.Rank).FirstOrDefault() ?? rows[0];
        var row = rows.Count == 1 ? first : first.Copy();
        row.Service = service;
        row.ProcessCount = rows.Count;
        row.Processes = rows.Count == 1 ? new List<ProtectionReport>() : rows;
        row.Protected = rows.All(r => r.Protected);
        row.MaxSafeOomScoreAdj = safe;
        row.Domain = request.Cgroup ?? "global";
        foreach (var r in rows) r.Machine = machine;
        row.Machine = machine;
        if (rows.Count == 1) return row;
        foreach (var r in rows) r.Service = service;
        row.MaxSafeReason = safe is null ? Unprotectable(machine, pids, request, kills) : "";
        row.GapTo = null;
        row.NeedsPages = row.Protected ? null : Gap(serviceTarget, row);
        row.Verdict = ProtectionVerdict.Describe(row);
        return row;
    }

    // A process as its row reads the ranking: its own candidate, the one ranked just above it, and the kills-th of
    // the others (outside excluded), whom it must rank below to survive.
    private readonly struct RankedTask
    {
        public RankedTask(OomCandidate me, OomCandidate? above, OomCandidate? target) { Me = me; Above = above; Target = target; }
        public OomCandidate Me { get; }
        public OomCandidate? Above { get; }
        public OomCandidate? Target { get; }
    }

    private static RankedTask Ranked(RankedScores ranking, OomTask task, int kills, ISet<int> excluded)
    {
        var me = ranking.For(task) ?? throw new System.InvalidOperationException($"Process {task} is not in the OOM's domain.");
        return new RankedTask(me, me.Rank > 1 ? ranking.AtRank(me.Rank - 1) : null, ranking.NthOutside(excluded, kills));
    }

    // The kill order as far as the last of the processes dies, or nothing is left to kill: the rows read no further
    // (each stops at its process's step), so the run stops there, on one copy. (A machine of a thousand processes
    // whose service dies 16th was killed off entirely before, a thousand OOMs for an answer in 16.)
    private static IReadOnlyList<KillOrderStep> KillOrderUntilDead(OomMachine machine, OomRequest request, HashSet<int> pids)
    {
        var alive = new HashSet<int>(pids);
        return OomAudit.Run(machine.Clone(), request, int.MaxValue, null, steps =>
        {
            var killed = steps[steps.Count - 1].Killed;
            for (int i = 0; i < killed.Count; i++) alive.Remove(killed[i]);
            return alive.Count == 0;
        });
    }

    private static ProtectionReport Row(OomMachine machine, OomTask task, RankedTask ranked,
        IReadOnlyList<KillOrderStep> order, OomRequest request, int kills, int? safe)
    {
        var me = ranked.Me;
        var above = ranked.Above;
        var target = ranked.Target;
        int? position = null;
        int before = 0;
        for (; before < order.Count; before++)
        {
            var step = order[before];
            if (step.Killed.Contains(task.Pid)) { position = step.Step; break; }
        }
        var row = new ProtectionReport
        {
            Service = $"pid {task.Pid}",
            Pid = task.Pid,
            Name = task.Comm,
            OomScoreAdj = task.OomScoreAdj.Value,
            Rank = me.Rank,
            Points = me.Points,
            Above = above?.Pid,
            MarginPages = above is not null && me.Points is { } p && above.Points is { } ap ? ap - p : null,
            KillPosition = position,
            DiesBefore = KilledBefore.FirstSteps(order, before),
            Kills = kills,
            Protected = position is null || position > kills,
            MaxSafeOomScoreAdj = safe,
            MaxSafeReason = safe is null ? Unprotectable(machine, new HashSet<int> { task.Pid }, request, kills) : "",
            PageSize = machine.PageSize,
            Domain = request.Cgroup ?? "global",
        };
        row.NeedsPages = row.Protected ? null : Gap(target, row);
        row.Verdict = ProtectionVerdict.Describe(row);
        return row;
    }

    // The kill order with every process of the service at adj, as far as the first of them dies; null when none of
    // them dies in the first kills OOMs. The first OOM is decided on the machine itself, the adj given and taken back
    // and the OOM undone (OomMachine.WhatIf): a bisection step whose service dies first, or that asks for one kill,
    // needs no copy. The OOMs after it need the victims' exits: those run on a copy.
    private static KillOrderStep? FirstDeath(OomMachine machine, HashSet<int> pids, OomRequest request, int kills, int adj, out List<KillOrderStep> before)
    {
        before = new List<KillOrderStep>();
        KillOrderStep? first;
        lock (machine.SyncRoot)
        {
            // The adj and the what-if change this machine alone, and put it back.
            using var scope = AmbientMachine.Enter(machine);
            var tasks = new List<(OomTask Task, OomScoreAdj Adj)>(pids.Count);
            foreach (var pid in pids) { var t = machine.GetTask(pid); tasks.Add((t, t.OomScoreAdj)); }
            try
            {
                foreach (var (t, _) in tasks) SetAdj(machine, t, OomScoreAdj.From(adj));
                first = OomAudit.FirstStep(machine, request);
            }
            finally
            {
                foreach (var (t, old) in tasks) SetAdj(machine, t, old);
            }
        }
        if (first is null) return null;
        if (first.Killed.Any(pids.Contains)) return first;
        if (kills == 1)
        {
            before.Add(first);
            return null;
        }

        var copy = machine.Clone();
        using (AmbientMachine.Enter(copy))
            foreach (var pid in pids) copy.GetTask(pid).OomScoreAdj = OomScoreAdj.From(adj);
        var order = OomAudit.Run(copy, request, kills, null, steps => steps[steps.Count - 1].Killed.Any(pids.Contains));
        foreach (var step in order)
        {
            if (step.Killed.Any(pids.Contains)) return step;
            before.Add(step);
        }
        return null;
    }

    // The adj given for a bisection step, or given back after it, recorded in the machine's score journal: the score
    // table updates those rows instead of being built again from every task (twice a step).
    private static void SetAdj(OomMachine machine, OomTask task, OomScoreAdj adj)
    {
        var changes = machine.ScoreChanges;
        changes.Begin();
        try
        {
            changes.Touch(task);
            task.OomScoreAdj = adj;
        }
        finally
        {
            changes.End();
        }
    }

    private static bool Survives(OomMachine machine, HashSet<int> pids, OomRequest request, int kills, int adj) =>
        FirstDeath(machine, pids, request, kills, adj, out _) is null;

    private static int? MaxSafeAdj(OomMachine machine, HashSet<int> pids, OomRequest request, int kills)
    {
        int lo = -999, hi = OomScoreAdj.MaxValue;
        if (!Survives(machine, pids, request, kills, lo)) return null;
        while (lo < hi)
        {
            int mid = lo + (hi - lo + 1) / 2;
            if (Survives(machine, pids, request, kills, mid)) lo = mid; else hi = mid - 1;
        }
        return lo;
    }

    // Why no adj from -999 up keeps them alive: who still dies at -999, when, and after whom.
    private static string Unprotectable(OomMachine machine, HashSet<int> pids, OomRequest request, int kills)
    {
        var death = FirstDeath(machine, pids, request, kills, -999, out var before);
        if (death is null) return "";
        var victim = death.Killed.First(pids.Contains);
        string after = before.Count == 0 ? "as the first victim" : "after " + ProtectionVerdict.List(before.Select(s => $"{s.Pid} ({s.Name})").ToList());
        string why = before.Count < kills
            ? $"only {before.Count} other process(es) can be killed before it (the rest are exempt, unkillable or already gone)"
            : "the processes ranked above it are too few or too small";
        return $"even at oom_score_adj -999 {machine.GetTask(victim).Comm} (pid {victim}) dies in OOM #{death.Step}, {after}: {why}; only -1000 (OOM_SCORE_ADJ_MIN) keeps it out of the first {kills} OOM(s)";
    }

    // Pages the row's process outscores the other process that would otherwise be the kills-th victim (target).
    private static long? Gap(OomCandidate? target, ProtectionReport row)
    {
        if (row.Points is not { } mine || target is null) return null;
        long gap = mine - target.Points!.Value + 1;
        // Already below it (it dies only because the others run out, or share an mm): memory is not the fix.
        if (gap <= 0) return null;
        row.GapTo = $"{target.Pid} ({target.Name})";
        return gap;
    }
}
