using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Audit;

/// <summary>
/// Test-OomProtection's arithmetic: ranks a process in its OOM domain, runs the kill order, and searches for the
/// highest oom_score_adj that keeps it alive through the first N kills (a lower adj can only rank it lower, so
/// the search bisects -999..1000).
/// </summary>
public static class OomProtection
{
    /// <summary>
    /// Assesses <paramref name="task"/> in the OOM <paramref name="request"/> names: its oom_badness rank and the
    /// margin in pages to the process ranked above it, its place in the kill order, whether it survives the first
    /// <paramref name="kills"/> kills, and the highest oom_score_adj with which it still would. The kill orders run
    /// on copies: <paramref name="machine"/> is not changed.
    /// </summary>
    public static ProtectionReport Assess(OomMachine machine, OomTask task, OomRequest request, int kills)
    {
        var ranking = BadnessRanking.ScoreAll(machine, request.ControlFor(machine));
        var me = ranking.First(c => ReferenceEquals(c.Task, task));
        var above = me.Rank > 1 ? ranking.FirstOrDefault(c => c.Rank == me.Rank - 1) : null;

        // Run until it dies or nothing is left to kill, to place it in the kill order.
        var order = OomAudit.KillOrder(machine, request, int.MaxValue);
        int? position = null;
        var before = new List<string>();
        foreach (var step in order)
        {
            if (step.Killed.Contains(task.Pid)) { position = step.Step; break; }
            before.Add($"{step.Pid} ({step.Name})");
        }

        return new ProtectionReport
        {
            Pid = task.Pid,
            Name = task.Comm,
            OomScoreAdj = task.OomScoreAdj.Value,
            Rank = me.Rank,
            Points = me.Points,
            Above = above?.Pid,
            MarginPages = above is not null && me.Points is { } p && above.Points is { } ap ? ap - p : null,
            KillPosition = position,
            DiesBefore = before,
            Kills = kills,
            Protected = position is null || position > kills,
            MaxSafeOomScoreAdj = MaxSafeAdj(machine, task.Pid, request, kills),
        };
    }

    private static bool Survives(OomMachine machine, int pid, OomRequest request, int kills, int adj)
    {
        var copy = machine.Clone();
        copy.GetTask(pid).OomScoreAdj = OomScoreAdj.From(adj);
        foreach (var step in OomAudit.KillOrder(copy, request, kills))
            if (step.Killed.Contains(pid)) return false;
        return true;
    }

    private static int? MaxSafeAdj(OomMachine machine, int pid, OomRequest request, int kills)
    {
        int lo = -999, hi = OomScoreAdj.MaxValue;
        if (!Survives(machine, pid, request, kills, lo)) return null;
        while (lo < hi)
        {
            int mid = lo + (hi - lo + 1) / 2;
            if (Survives(machine, pid, request, kills, mid)) lo = mid; else hi = mid - 1;
        }
        return lo;
    }
}
