using System;
using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Kernels;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;

namespace OomTools.Engine.Reports;

/// <summary>
/// Hidden state read back from what the kernel printed. The report is replayed as rebuilt; when the replay's
/// choice (or, before 5.1, the score printed with <c>Kill process</c>) differs from the kernel's, the few
/// alternatives a real host can have are tried, one at a time and then two and three together: root without
/// CAP_SYS_ADMIN in the eras with a root bonus, and for each pair of identical rows a vfork child
/// (<c>in_vfork()</c>: oom_badness gives LONG_MIN) or a CLONE_VM sharer of the earlier row's mm. The first that
/// makes the engine's own replay agree with everything printed is kept. The choice is always the engine's: the
/// kernel's victim is only what an alternative is checked against.
/// </summary>
internal static class ReportInference
{
    /// <summary>At most this many rebuilt machines are tried for one report.</summary>
    public const int MaxTrials = 64;
    /// <summary>At most this many alternatives are applied together.</summary>
    public const int MaxCombined = 3;

    /// <summary>
    /// Sets <see cref="OomReport.AgreedBeforeInference"/>, and when the plain replay disagrees returns the hidden
    /// state that explains the kernel's output (null when none does, or none was needed). <paramref name="rebuild"/>
    /// builds the report's machine with a hidden state applied.
    /// </summary>
    public static HiddenState? Infer(OomReport r, Func<HiddenState, OomMachine> rebuild)
    {
        if (r.Machine is null || r.SelectedPid is not { } kernel) return null;
        var plain = r.Machine.WhatIf(m => Replay(r, m, record: true));
        bool agreed = Consistent(r, plain);
        r.AgreedBeforeInference = agreed;
        var pairs = IdenticalPairs(r, kernel);
        if (agreed)
        {
            NoteOneMm(r, pairs, kernel, plain.Victim?.Pid, null);
            return null;
        }

        var alternatives = Alternatives(r, pairs, kernel, plain);
        int trials = 0;
        foreach (var combo in Combinations(alternatives, MaxCombined))
        {
            if (++trials > MaxTrials) break;
            var hidden = new HiddenState(combo);
            OomMachine machine;
            try { machine = rebuild(hidden); }
            catch (OomEngineException) { continue; }
            var outcome = Replay(r, machine, record: false);
            if (!Consistent(r, outcome)) continue;

            foreach (var a in combo)
            {
                string said = a.Kind == AlternativeKind.RootWithoutCapSysAdmin
                    ? "the kernel's choice implies root had no CAP_SYS_ADMIN: a container (no root bonus)"
                    : $"the kernel's choice implies {a.Describe()}";
                r.inferred.Add(a.Describe());
                r.inferenceNotes.Add(said);
            }
            NoteOneMm(r, pairs, kernel, outcome.Victim?.Pid, hidden);
            return hidden;
        }
        r.inferenceNotes.Add($"the replay disagrees with the kernel and no modelled alternative (vfork pair, CLONE_VM pair, root without CAP_SYS_ADMIN) explains it ({Math.Min(trials, MaxTrials)} tried)");
        NoteOneMm(r, pairs, kernel, plain.Victim?.Pid, null);
        return null;
    }

    internal static OomOutcome Replay(OomReport r, OomMachine machine, bool record)
    {
        var oc = ReportReplay.ControlFor(r, machine);
        oc.RecordCandidates = record;
        return machine.Killer.Invoke(oc);
    }

    /// <summary>
    /// The replay chose the kernel's process and, where an old kernel printed its score
    /// (<c>Kill process N (comm) score S</c>: points * 1000 / totalpages, or the per-mille points before 3.5),
    /// scored it the same.
    /// </summary>
    internal static bool Consistent(OomReport r, OomOutcome o)
    {
        if (o.Victim?.Pid != r.SelectedPid) return false;
        if (r.SelectedScore is not { } printed || o.VictimPoints is not { } points) return true;
        long total = Math.Max(1, o.TotalPages.Value);
        long ours = o.Machine.Scoring.PerMille ? points : points * 1000 / total;
        return ours == printed;
    }

    /// <summary>
    /// Each later row whose mm counters repeat an earlier row's (a vfork child or a CLONE_VM sharer prints its
    /// parent's mm), paired with that earlier row: the kernel's choice when it is one of them, else the first.
    /// </summary>
    private static List<(OomReportTask Earlier, OomReportTask Later)> IdenticalPairs(OomReport r, int kernel)
    {
        var pairs = new List<(OomReportTask, OomReportTask)>();
        var groups = new Dictionary<string, List<OomReportTask>>(StringComparer.Ordinal);
        foreach (var t in r.tasks)
        {
            if (t.Resident.Value <= 0 && t.VirtualSize.Value <= 0) continue;
            string key = $"{t.VirtualSize.Value}/{t.Resident.Value}/{t.RssAnon}/{t.RssFile}/{t.RssShmem}/{t.PgtablesBytes}/{t.NrPtes}/{t.NrPmds}/{t.SwapEnts}";
            if (!groups.TryGetValue(key, out var list)) groups[key] = list = new List<OomReportTask>();
            if (list.Count > 0 && list.All(e => e.Pid != t.Pid))
                pairs.Add((list.FirstOrDefault(e => e.Pid == kernel) ?? list[0], t));
            list.Add(t);
        }
        return pairs;
    }

    /// <summary>
    /// The alternatives worth trying: root without CAP_SYS_ADMIN when this era has a root bonus and a uid 0 row,
    /// and for each identical pair with a row the plain replay ranks at least as high as the kernel's choice: a
    /// vfork child (the later row is passed over; the only one tried when the kernel chose the earlier row, since
    /// sharing its mm changes nothing for it) and a CLONE_VM sharer (both rows take one mm, which an earlier
    /// event's kill may have marked MMF_OOM_SKIP).
    /// </summary>
    private static List<ReportAlternative> Alternatives(OomReport r, List<(OomReportTask Earlier, OomReportTask Later)> pairs, int kernel, OomOutcome plain)
    {
        var list = new List<ReportAlternative>();
        if (r.Machine!.Scoring.Root != RootBonus.None && r.tasks.Any(t => t.Uid == 0))
            list.Add(new ReportAlternative(AlternativeKind.RootWithoutCapSysAdmin));
        long? kernelPoints = plain.Candidates.FirstOrDefault(c => c.Pid == kernel)?.Points;
        // A row outranks the kernel's choice when the plain replay scores it at least as high.
        bool Outranks(int pid) => plain.Candidates.FirstOrDefault(x => x.Pid == pid) is { Points: { } p } && (kernelPoints is not { } kp || p >= kp);
        foreach (var (earlier, later) in pairs)
        {
            var vfork = new ReportAlternative(AlternativeKind.VforkPair, earlier.Pid, later.Pid);
            // A child printed before its parent: a memcg scan walks cgroups in pre-order, and the child's own
            // oom_score_adj may rank it first.
            var childFirst = new ReportAlternative(AlternativeKind.VforkPair, earlier.Pid, later.Pid, childFirst: true);
            var cloneVm = new ReportAlternative(AlternativeKind.CloneVmPair, earlier.Pid, later.Pid);
            bool earlierOutranks = earlier.Pid != kernel && Outranks(earlier.Pid), laterOutranks = later.Pid != kernel && Outranks(later.Pid);
            // Sharing the kernel's own mm changes nothing for it: only the other row's in_vfork() can explain it.
            if (later.Pid == kernel) { if (earlierOutranks) list.Add(childFirst); continue; }
            if (earlier.Pid == kernel) { if (laterOutranks) list.Add(vfork); continue; }
            // One shared mm passes over both rows when an earlier event's kill marked it MMF_OOM_SKIP.
            if (earlierOutranks || laterOutranks) list.Add(cloneVm);
            if (laterOutranks) list.Add(vfork);
            if (earlierOutranks) list.Add(childFirst);
        }
        return list;
    }

    /// <summary>Singles first, then pairs, then triples; no two alternatives for the same later row.</summary>
    private static IEnumerable<List<ReportAlternative>> Combinations(List<ReportAlternative> all, int max)
    {
        for (int size = 1; size <= Math.Min(max, all.Count); size++)
            foreach (var c in Choose(all, size, 0, new List<ReportAlternative>())) yield return c;
    }

    private static IEnumerable<List<ReportAlternative>> Choose(List<ReportAlternative> all, int size, int from, List<ReportAlternative> picked)
    {
        if (picked.Count == size) { yield return new List<ReportAlternative>(picked); yield break; }
        for (int i = from; i < all.Count; i++)
        {
            var a = all[i];
            if (a.Kind != AlternativeKind.RootWithoutCapSysAdmin && picked.Any(p => p.Kind != AlternativeKind.RootWithoutCapSysAdmin && (p.Later == a.Later || p.Later == a.Earlier || p.Earlier == a.Later)))
                continue;
            picked.Add(a);
            foreach (var c in Choose(all, size, i + 1, picked)) yield return c;
            picked.RemoveAt(picked.Count - 1);
        }
    }

    /// <summary>
    /// Identical rows left as separate processes where it matters (one of them is the kernel's or the replay's
    /// victim): they may be one mm, and a kill would then take both and free the memory once.
    /// </summary>
    private static void NoteOneMm(OomReport r, List<(OomReportTask Earlier, OomReportTask Later)> pairs, int kernel, int? replayed, HiddenState? kept)
    {
        foreach (var (earlier, later) in pairs)
        {
            if (kept?.MmOwnerOf(later.Pid) is not null) continue;
            bool matters = earlier.Pid == kernel || later.Pid == kernel || earlier.Pid == replayed || later.Pid == replayed;
            if (!matters) continue;
            r.inferenceNotes.Add($"pids {earlier.Pid} and {later.Pid} print identical mm counters: they may be one mm (vfork or CLONE_VM), taken as separate processes (a kill would otherwise take both and free the memory once)");
        }
    }
}
