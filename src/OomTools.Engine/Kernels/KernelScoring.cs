using System;

namespace OomTools.Engine.Kernels;

/// <summary>How the root bonus worked in a kernel generation.</summary>
public enum RootBonus
{
    /// <summary>4.17 and later: none.</summary>
    None,
    /// <summary>2.6.36 – 3.4 (and RHEL 6's 2.6.32): 30 points off the per-mille score.</summary>
    PerMille30,
    /// <summary>3.5 – 3.13: <c>adj -= 30</c> before <c>adj *= totalpages / 1000</c>.</summary>
    Adj30,
    /// <summary>3.14 – 4.16: <c>points -= points * 3 / 100</c>.</summary>
    ThreePercentOfPoints,
}

/// <summary>
/// The rules of <c>oom_badness</c> and the selection loop that changed between kernel versions, so a report is
/// replayed with the scoring of the kernel that wrote it. The seed's (6.x) rules are <see cref="Current"/>:
/// <list type="bullet">
/// <item>5.9: badness became a signed long with LONG_MIN for "never"; before, every eligible task scored at
/// least 1 (<see cref="MinimumOne"/>).</item>
/// <item>4.17: the 3% bonus for CAP_SYS_ADMIN (modelled as uid 0) was removed (<see cref="Root"/>).</item>
/// <item>3.14: the root bonus became 3% of the points; 3.5 – 3.13 took 30 off the adj instead.</item>
/// <item>3.5: badness in pages scaled by <c>adj * (totalpages / 1000)</c>; before (and in RHEL 6's 2.6.32), a
/// per-mille score <c>points * 1000 / totalpages + adj</c> clamped to 1..1000 (<see cref="PerMille"/>).</item>
/// <item>5.3: ties go to the later task. Before, the loops used a strict <c>&gt;</c> (to 3.13) or refused to let
/// an equal score displace the chosen thread-group leader (3.14 – 5.2), so the earlier task won.</item>
/// </list>
/// The "or sacrifice child" rule of kernels before 5.1 needs no model: the chosen process is the answer.
/// </summary>
public sealed class KernelScoring
{
    /// <summary>The first version whose selection lets a tie go to the later task.</summary>
    public static readonly Version TiesToLaterSince = new(5, 3);

    private static readonly Version V5_9 = new(5, 9), V3_5 = new(3, 5);

    private KernelScoring(Version version)
    {
        Version = version;
        IsCurrent = version >= V5_9;
        PerMille = version < V3_5;
        TiesToLater = version >= TiesToLaterSince;
    }

    public Version Version { get; }

    /// <summary>The seed's rules (6.x).</summary>
    public static KernelScoring Current { get; } = new(new Version(6, 12));

    public static KernelScoring For(Version? version)
    {
        if (version is null || version >= new Version(5, 9)) return version is null ? Current : new KernelScoring(version);
        return new KernelScoring(version);
    }

    /// <summary>Major.minor of a release string as the kernel prints it ("6.18.44-fc-v595", "2.6.32-642.el6"); null if it is none.</summary>
    public static Version? ParseRelease(string? release)
    {
        if (release is null) return null;
        var parts = release.Trim().Split('.', '-', '+', '_');
        return parts.Length >= 2 && int.TryParse(parts[0], out var major) && int.TryParse(parts[1], out var minor)
            ? new Version(major, minor) : null;
    }

    /// <summary>True for 5.9 and later: the seed's own rules, and the engine's fast path.</summary>
    public bool IsCurrent { get; }
    public bool MinimumOne => !IsCurrent;
    public bool PerMille { get; }
    public bool TiesToLater { get; }

    public RootBonus Root =>
        Version >= new Version(4, 17) ? RootBonus.None :
        Version >= new Version(3, 14) ? RootBonus.ThreePercentOfPoints :
        Version >= new Version(3, 5) ? RootBonus.Adj30 : RootBonus.PerMille30;

    /// <summary>
    /// oom_badness of an eligible task under these rules. <paramref name="pages"/> is rss + swap + page-table
    /// pages; <paramref name="isRoot"/> stands for has_capability(CAP_SYS_ADMIN).
    /// </summary>
    public long Badness(long pages, long adj, long totalPages, bool isRoot)
    {
        if (PerMille)
        {
            long score = pages * 1000 / Math.Max(1, totalPages);
            if (isRoot) score -= 30;
            score += adj;
            if (score <= 0) return 1;
            return score < 1000 ? score : 1000;
        }
        long points = pages;
        if (isRoot && Root == RootBonus.ThreePercentOfPoints) points -= points * 3 / 100;
        if (isRoot && Root == RootBonus.Adj30) adj -= 30;
        points += adj * (totalPages / 1000);
        if (MinimumOne && points <= 0) return 1;
        return points;
    }

    public override string ToString() => $"oom_badness rules of Linux {Version}";
}
