using System;
using OomTools.Engine.Units;

namespace OomTools.Engine.Kernels;

/// <summary>
/// The rules of one kernel release, read from its row of <see cref="KernelEras.Table"/>: how
/// <c>oom_badness</c> scores (written once, in <see cref="Score"/>), which task a tie goes to, what
/// <c>/proc/PID/oom_score</c> shows, and the formats its log lines take. The seed's (6.x) rules are
/// <see cref="Current"/>.
/// </summary>
public sealed class KernelRules
{
    private KernelRules(Version version)
    {
        Version = version;
        Era = KernelEras.EraOf(version);
        pagesNoBonusNoFloor = Era.Unit == BadnessUnit.Pages && Era.Root == RootBonus.None && Era.Floor == BadnessFloor.NoFloor;
    }

    // The seed's arithmetic (5.9 and later): the scan's hot path, worked out once per rules object.
    private readonly bool pagesNoBonusNoFloor;

    /// <summary>The release (major.minor) these are the rules of.</summary>
    public Version Version { get; }
    /// <summary>Its row of the era table.</summary>
    public KernelEra Era { get; }

    /// <summary>The seed's rules (6.12).</summary>
    public static KernelRules Current { get; } = new(KernelEras.Seed);

    /// <summary>The rules of <paramref name="version"/>; <see cref="Current"/> for null.</summary>
    public static KernelRules For(Version? version) => version is null ? Current : new KernelRules(version);

    /// <summary>Major.minor of a release string as the kernel prints it ("6.18.44-fc-v595", "2.6.32-642.el6"); null if it is none.</summary>
    public static Version? ParseRelease(string? release)
    {
        if (release is null) return null;
        var parts = release.Trim().Split('.', '-', '+', '_');
        return parts.Length >= 2 && int.TryParse(parts[0], out var major) && int.TryParse(parts[1], out var minor)
            ? new Version(major, minor) : null;
    }

    /// <summary>True when these score as the seed does (5.9 and later).</summary>
    public bool IsCurrent => Era.Unit == Current.Era.Unit && Era.Root == Current.Era.Root &&
        Era.Ties == Current.Era.Ties && Era.Floor == Current.Era.Floor;
    /// <summary>Every eligible task scores at least 1 (before 5.9).</summary>
    public bool MinimumOne => Era.Floor == BadnessFloor.One;
    /// <summary>oom_badness is per mille of totalpages (before 3.5).</summary>
    public bool PerMille => Era.Unit == BadnessUnit.PerMille;
    /// <summary>An equal score goes to the later task (5.3 and later).</summary>
    public bool TiesToLater => Era.Ties == TieRule.LaterTask;
    /// <summary>The root bonus of this era.</summary>
    public RootBonus Root => Era.Root;

    /// <summary>
    /// oom_badness of an eligible task, term by term. <paramref name="pages"/> is rss + swap entries + page-table
    /// pages; <paramref name="isRoot"/> stands for has_capability(CAP_SYS_ADMIN). The adj is scaled by
    /// <c>totalpages / 1000</c> with the division first, so it does nothing below 1000 pages.
    /// </summary>
    public BadnessTerms Score(long pages, long adj, long totalPages, bool isRoot)
    {
        if (pagesNoBonusNoFloor)
        {
            long adjTerm = adj * (totalPages / 1000);
            return new BadnessTerms(pages, adjTerm, 0, pages + adjTerm);
        }
        if (Era.Unit == BadnessUnit.PerMille)
        {
            long perMille = pages * 1000 / Math.Max(1, totalPages);
            long root = isRoot && Era.Root == RootBonus.PerMille30 ? -30 : 0;
            long score = perMille + root + adj;
            return new BadnessTerms(perMille, adj, root, score <= 0 ? 1 : Math.Min(score, 1000));
        }
        long unit = totalPages / 1000;
        long rootTerm = !isRoot ? 0 : Era.Root switch
        {
            RootBonus.ThreePercentOfPoints => -(pages * 3 / 100),
            RootBonus.Adj30 => -30 * unit,
            _ => 0,
        };
        long scaledAdj = adj * unit;
        long points = pages + rootTerm + scaledAdj;
        if (Era.Floor == BadnessFloor.One && points <= 0) points = 1;
        return new BadnessTerms(pages, scaledAdj, rootTerm, points);
    }

    /// <summary>oom_badness of an eligible task: <see cref="Score"/>'s points (the seed's sum without the terms, on the scan's hot path).</summary>
    public long Badness(long pages, long adj, long totalPages, bool isRoot) =>
        pagesNoBonusNoFloor ? pages + adj * (totalPages / 1000) : Score(pages, adj, totalPages, isRoot).Points;

    /// <summary>
    /// fs/proc/base.c <c>proc_oom_score()</c> for a task of badness <paramref name="badness"/> (0 for one that is
    /// never chosen), scaled to the global <paramref name="totalPages"/> as this era's file showed it.
    /// </summary>
    public long ProcOomScore(long badness, long totalPages) => Era.OomScore switch
    {
        OomScoreFile.Badness => badness,
        OomScoreFile.PerMilleOfTotal => badness * 1000 / totalPages,
        _ => (1000 + badness * 1000 / totalPages) * 2 / 3,
    };

    /// <summary>Whether the selection loop lets a task with <paramref name="points"/> displace the one chosen so far.</summary>
    public bool Displaces(long points, long chosenPoints, bool anyChosen) =>
        points > chosenPoints || (points == chosenPoints && (TiesToLater || !anyChosen));

    /// <inheritdoc/>
    public override string ToString() => $"oom_badness rules of Linux {Version}";
}
