using System;
using System.Collections.Generic;
using static OomTools.Engine.Kernels.BadnessFloor;
using static OomTools.Engine.Kernels.BadnessUnit;
using static OomTools.Engine.Kernels.OomScoreFile;
using static OomTools.Engine.Kernels.RootBonus;
using static OomTools.Engine.Kernels.TaskTableFormat;
using static OomTools.Engine.Kernels.TieRule;
using Gfp = OomTools.Engine.Units.GfpNameTable;

namespace OomTools.Engine.Kernels;

/// <summary>
/// Every behaviour of the OOM killer that the model reproduces and that changed between kernel releases, as one
/// table: a row per change, each row carrying every column as it stood from that release on (Kernels/HISTORY.md
/// gives the sources). Every consumer asks <see cref="KernelRules.For"/>, so a new era is one row here plus its
/// tests.
/// </summary>
public static class KernelEras
{
    private static KernelEra Row(int major, int minor, string change, BadnessUnit unit, RootBonus root, TieRule ties,
        BadnessFloor floor, OomScoreFile oomScore, bool sacrificeChild, TaskTableFormat table, Gfp gfp) =>
        new(new Version(major, minor), change, unit, root, ties, floor, oomScore, sacrificeChild, table, gfp);

    /// <summary>The eras, oldest first. A release older than the first row gets the first row's rules.</summary>
    public static IReadOnlyList<KernelEra> Table { get; } = new[]
    {
        //  since  what changed                                           unit      root bonus            ties         floor    oom_score        child  task table            %pGg
        Row(2, 6,  "per-mille oom_badness (2.6.36; RHEL 6's 2.6.32)",     PerMille, PerMille30,           EarlierTask, One,     Badness,         true,  CpuOomAdj,            Gfp.BeforeV6_4),
        Row(3, 5,  "oom_badness in pages; root: 30 off the adj",          Pages,    Adj30,                EarlierTask, One,     PerMilleOfTotal, true,  CpuOomAdj,            Gfp.BeforeV6_4),
        Row(3, 6,  "task table: nr_ptes swapents",                        Pages,    Adj30,                EarlierTask, One,     PerMilleOfTotal, true,  NrPtes,               Gfp.BeforeV6_4),
        Row(3, 14, "root: 3% off the points",                             Pages,    ThreePercentOfPoints, EarlierTask, One,     PerMilleOfTotal, true,  NrPtes,               Gfp.BeforeV6_4),
        Row(4, 0,  "task table: nr_pmds",                                 Pages,    ThreePercentOfPoints, EarlierTask, One,     PerMilleOfTotal, true,  NrPtesNrPmds,         Gfp.BeforeV6_4),
        Row(4, 15, "task table: pgtables_bytes",                          Pages,    ThreePercentOfPoints, EarlierTask, One,     PerMilleOfTotal, true,  PgtablesBytes,        Gfp.BeforeV6_4),
        Row(4, 17, "no root bonus",                                       Pages,    None,                 EarlierTask, One,     PerMilleOfTotal, true,  PgtablesBytes,        Gfp.BeforeV6_4),
        Row(4, 19, "task table: Tasks state line, 7-wide pid",            Pages,    None,                 EarlierTask, One,     PerMilleOfTotal, true,  PgtablesBytesWidePid, Gfp.BeforeV6_4),
        Row(5, 1,  "no \"or sacrifice child\"",                           Pages,    None,                 EarlierTask, One,     PerMilleOfTotal, false, PgtablesBytesWidePid, Gfp.BeforeV6_4),
        Row(5, 3,  "a tie goes to the later task",                        Pages,    None,                 LaterTask,   One,     PerMilleOfTotal, false, PgtablesBytesWidePid, Gfp.BeforeV6_4),
        Row(5, 9,  "signed oom_badness with no floor; oom_score 0..1333", Pages,    None,                 LaterTask,   NoFloor, Normalized,      false, PgtablesBytesWidePid, Gfp.BeforeV6_4),
        Row(6, 4,  "%pGg: no __GFP_ATOMIC",                               Pages,    None,                 LaterTask,   NoFloor, Normalized,      false, PgtablesBytesWidePid, Gfp.V6_4),
        Row(6, 8,  "task table: rss_anon rss_file rss_shmem",             Pages,    None,                 LaterTask,   NoFloor, Normalized,      false, RssSplit,             Gfp.V6_4),
        Row(6, 12, "%pGg: GFP_NOWAIT with __GFP_NOWARN",                  Pages,    None,                 LaterTask,   NoFloor, Normalized,      false, RssSplit,             Gfp.V6_12),
        Row(6, 15, "%pGg: single flags in bit order",                     Pages,    None,                 LaterTask,   NoFloor, Normalized,      false, RssSplit,             Gfp.V6_15),
    };

    /// <summary>The seed's release: the rules of a machine nobody gave a version.</summary>
    public static Version Seed { get; } = new(6, 12);

    /// <summary>
    /// Long-term releases most reports come from. A report that prints no release is given the newest of these
    /// whose task table it shows (and, where that leaves a choice, whose kill line prints a score as it does).
    /// </summary>
    public static IReadOnlyList<Version> LongTermReleases { get; } = new[]
    {
        new Version(2, 6), new Version(3, 10), new Version(4, 4), new Version(4, 19), new Version(5, 10), new Version(6, 12),
    };

    /// <summary>The row in force at <paramref name="release"/> (major.minor compared).</summary>
    public static KernelEra EraOf(Version release)
    {
        var era = Table[0];
        foreach (var row in Table)
            if (release >= row.Since) era = row;
        return era;
    }

    /// <summary>
    /// A release consistent with a report that prints none: the newest long-term release whose task table has
    /// <paramref name="layout"/>'s columns, preferring one whose kill line prints a score when
    /// <paramref name="printsScore"/> (only kernels that could "sacrifice a child" did). Null when none fits.
    /// </summary>
    public static Version? InferRelease(TaskTableFormat layout, bool printsScore)
    {
        Version? sameColumns = null, sameColumnsAndScore = null;
        foreach (var lts in LongTermReleases)
        {
            var era = EraOf(lts);
            if (!SameColumns(era.TaskTable, layout)) continue;
            sameColumns = lts;
            if (era.SacrificeChild == printsScore) sameColumnsAndScore = lts;
        }
        return sameColumnsAndScore ?? sameColumns;
    }

    // The pid's width and the "Tasks state" line are not columns: a parsed header cannot tell 4.15 from 4.19.
    private static bool SameColumns(TaskTableFormat a, TaskTableFormat b) => Columns(a) == Columns(b);

    private static TaskTableFormat Columns(TaskTableFormat f) => f == PgtablesBytesWidePid ? PgtablesBytes : f;

    /// <summary>The layout a task table's column names belong to; null when it is none of them.</summary>
    public static TaskTableFormat? LayoutOf(IReadOnlyCollection<string> columns)
    {
        bool Has(string c) { foreach (var x in columns) if (x == c) return true; return false; }
        if (Has("rss_anon")) return RssSplit;
        if (Has("cpu") || Has("oom_adj")) return CpuOomAdj;
        if (Has("nr_pmds")) return NrPtesNrPmds;
        if (Has("nr_ptes")) return NrPtes;
        if (Has("pgtables_bytes")) return PgtablesBytes;
        return null;
    }
}
