using System;
using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Model;

namespace OomTools.Engine.Reports;

/// <summary>
/// Identical rows that the stat lines say are one mm. A CLONE_VM sharer prints its mm's counters, so several
/// processes of one mm print identical rows; the memcg stat block (v1 <c>total_rss</c>, v2 <c>anon</c>) charges
/// each page once. When the rows' anon, each row counted, exceeds the charged anon by more than the slack, and
/// counting each set of identical rows that can be one mm once matches it, the report shows those sets are one mm
/// each: for sets of three or more rows (two could be a vfork pair instead) the machine is rebuilt with every later row of a set sharing the first row's mm (CLONE_VM), so a kill takes
/// them all at once and frees the memory once, as <c>__oom_kill_process</c> does. Kept only when the replay still
/// picks the kernel's victim; named in <see cref="OomReport.Inferred"/> and <see cref="OomReport.Assumptions"/>.
/// </summary>
internal static class CloneVmFromStats
{
    /// <summary>How every sentence this rule writes begins.</summary>
    public const string Said = "the stat lines charge the rows' anon only if identical rows are one mm";

    /// <summary>
    /// The hidden state with the sets added to <paramref name="kept"/>'s alternatives, with <paramref name="r"/>'s
    /// machine rebuilt under it; null, changing nothing, when the stat lines do not say so.
    /// </summary>
    public static HiddenState? Apply(OomReport r, HiddenState? kept, Func<HiddenState, OomMachine> rebuild)
    {
        var machine = r.Machine;
        if (machine is null || CowSharingInference.ChargedAnon(r, machine, out _) is not { } charged) return null;
        long mapped = OomMachine.DistinctMms(machine.Tasks).Sum(mm => mm.anon - mm.sharedAnon);
        if (mapped - charged <= CowSharingInference.SlackPages) return null;
        if (Math.Abs(CowSharingInference.OnceEach(r) - charged) > CowSharingInference.SlackPages) return null;

        var already = new HashSet<int>((kept ?? HiddenState.None).Alternatives.SelectMany(a => new[] { a.Earlier, a.Later }));
        var added = new List<ReportAlternative>();
        foreach (var set in CowSharingInference.IdenticalSets(r))
        {
            // Two identical rows may as well be a vfork pair (the kernel would then pass over the child), which the
            // stat lines cannot tell apart; three or more cannot be, as a vfork parent waits for its one child.
            if (set.Count < 3 || !CowSharingInference.CanBeOneMm(set) || set.Any(t => already.Contains(t.Pid))) continue;
            // Rows already one mm in the machine (a sharer the rebuild gave the mm) need nothing.
            if (set.Select(t => machine.FindTask(t.Pid)?.Mm).Distinct().Count() == 1) continue;
            foreach (var later in set.Skip(1)) added.Add(new ReportAlternative(AlternativeKind.CloneVmPair, set[0].Pid, later.Pid));
        }
        if (added.Count == 0) return null;

        var hidden = new HiddenState((kept ?? HiddenState.None).Alternatives.Concat(added).ToList());
        OomMachine rebuilt;
        try { rebuilt = rebuild(hidden); }
        catch (OomEngineException) { return null; }
        if (r.SelectedPid is not null && !ReportInference.Consistent(r, rebuilt.WhatIf(m => ReportInference.Replay(r, m, record: false)))) return null;

        r.Machine = rebuilt;
        foreach (var a in added)
        {
            string said = $"{Said} ({charged} pages): {a.Describe()}";
            r.inferred.Add(said);
            if (!r.assumptions.Contains(said)) r.assumptions.Add(said);
        }
        return hidden;
    }
}
