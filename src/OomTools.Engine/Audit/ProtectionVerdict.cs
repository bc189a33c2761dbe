using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Units;

namespace OomTools.Engine.Audit;

/// <summary>
/// The sentences a runbook shows when a protection check fails: who dies in which OOM, after whom, and by how
/// much (oom_score_adj, pages and bytes) it misses. The Pester operators Should -SurviveOom and
/// Should -BeKilledBefore use them as their failure messages.
/// </summary>
public static class ProtectionVerdict
{
    /// <summary>
    /// One sentence for <paramref name="r"/>: "postgres (pid 4321) dies in OOM #2, after 1234 (java); it would need
    /// oom_score_adj &lt;= -200 (now 0), or 131072 pages (512 MiB) less" when not protected, or what protects it.
    /// </summary>
    public static string Describe(ProtectionReport r)
    {
        string who = $"{r.Name} (pid {r.Pid})" + (r.ProcessCount > 1 ? $", the first of the {r.ProcessCount} processes of {r.Service} to die," : "");
        if (r.KillPosition is null)
            return $"{who} is never killed ({(r.Rank == 0 ? "the OOM killer never chooses it" : "the kills run out before it")})";
        string when = $"{who} dies in OOM #{r.KillPosition}, {After(r.DiesBefore)}";
        if (r.Protected) return $"{when}: it survives the first {r.Kills} OOM(s)";
        var fix = new List<string>();
        if (r.MaxSafeOomScoreAdj is { } safe)
            fix.Add($"it would need oom_score_adj <= {safe} (now {r.OomScoreAdj}){(r.ProcessCount > 1 ? " on all of them" : "")}");
        else if (r.MaxSafeReason.Length > 0)
            fix.Add(r.MaxSafeReason);
        if (r.NeedsPages is { } pages)
            fix.Add($"it outscores {r.GapTo}, the next victim in its place, by {pages} pages ({SizeText.Format(new Pages(pages), r.PageSize)}): it would need that much less memory");
        return $"{when}; " + string.Join("; ", fix);
    }

    /// <summary>
    /// Null when a process of <paramref name="first"/> dies in an earlier OOM than every process of
    /// <paramref name="other"/> (both assessed in the same domain); otherwise why not, with the score gap in pages
    /// and bytes.
    /// </summary>
    public static string? KilledBefore(ProtectionReport first, ProtectionReport other)
    {
        if (first.KillPosition is { } f && (other.KillPosition is null || f < other.KillPosition)) return null;
        string a = $"{first.Name} (pid {first.Pid})", b = $"{other.Name} (pid {other.Pid})";
        string bWhen = other.KillPosition is { } o
            ? $"{b} dies in OOM #{o}, {After(other.DiesBefore)}"
            : $"{b} is never killed";
        string aWhen = first.KillPosition is { } k ? $"{a} only in OOM #{k}" : $"{a} is never killed";
        string gap = first.Points is { } fp && other.Points is { } op && op - fp + 1 > 0
            ? $"; {first.Name} scores {op - fp + 1} pages ({SizeText.Format(new Pages(op - fp + 1), first.PageSize)}) too few to be chosen first ({fp} vs {op} points)"
            : "";
        return $"{bWhen}; {aWhen}{gap}";
    }

    private static string After(IReadOnlyList<string> before) => before.Count == 0 ? "as the first victim" : "after " + List(before);

    /// <summary>"a, b, c" for up to five items, then "and N more".</summary>
    internal static string List(IReadOnlyList<string> items) =>
        items.Count <= 5 ? string.Join(", ", items) : string.Join(", ", items.Take(5)) + $" and {items.Count - 5} more";
}
