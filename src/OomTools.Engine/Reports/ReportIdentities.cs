using System.Collections.Generic;

namespace OomTools.Engine.Reports;

/// <summary>
/// One identity for a process across a report: its tgid. The kernel names a process by a thread in two places
/// when its group leader has exited: dump_task prints the thread <c>find_lock_task_mm</c> found (<c>[ 30764] 0 30763</c>),
/// and <c>__oom_kill_process</c> prints <c>Killed process</c> with that thread's id, while the <c>oom-kill:</c>
/// line names <c>oc-&gt;chosen</c>, the leader. The thread ids stay beside (<see cref="OomReport.SelectedTid"/>,
/// <see cref="OomReport.KilledTids"/>).
/// </summary>
internal static class ReportIdentities
{
    public static void Resolve(OomReport r)
    {
        var byTid = new Dictionary<int, OomReportTask>();
        var byPid = new Dictionary<int, OomReportTask>();
        foreach (var t in r.tasks)
        {
            if (!byTid.ContainsKey(t.Tid)) byTid[t.Tid] = t;
            if (!byPid.ContainsKey(t.Pid)) byPid[t.Pid] = t;
        }

        if (r.SelectedPid is { } selected)
        {
            if (byTid.TryGetValue(selected, out var row) && row.PrintedByThread && !byPid.ContainsKey(selected))
            {
                // Only a Killed process line named the choice, with the thread's id.
                r.SelectedPid = row.Pid;
                r.SelectedTid = row.Tid;
            }
            else if (byPid.TryGetValue(selected, out row)) r.SelectedTid = row.Tid;
            // No row: since 5.1 (no "sacrifice child") the first Killed process line is the chosen process's thread.
            else r.SelectedTid = r.SelectedScore is null && r.killedPids.Count > 0 ? r.killedPids[0] : selected;
        }

        r.killedTids.Clear();
        r.killedTids.AddRange(r.killedPids);
        for (int i = 0; i < r.killedPids.Count; i++)
        {
            int printed = r.killedPids[i];
            if (byTid.TryGetValue(printed, out var row) && row.PrintedByThread && !byPid.ContainsKey(printed)) r.killedPids[i] = row.Pid;
            // The table can be missing (a rate-limited event): the oom-kill line's leader then names the first kill.
            else if (i == 0 && r.SelectedScore is null && r.SelectedPid is { } chosen && r.SelectedTid == printed && !byPid.ContainsKey(printed)) r.killedPids[i] = chosen;
        }
    }
}
