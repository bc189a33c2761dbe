using System.Collections.Generic;

namespace OomTools.Engine.Audit;

/// <summary>
/// How well one critical process is protected: its rank, the margin to the process ranked just above it, who
/// dies before it, and the highest oom_score_adj that still keeps it out of the first N kills.
/// </summary>
public sealed class ProtectionReport
{
    /// <summary>The process id.</summary>
    public int Pid { get; internal set; }
    /// <summary>The comm.</summary>
    public string Name { get; internal set; } = "";
    /// <summary>Its oom_score_adj now (/proc/PID/oom_score_adj).</summary>
    public int OomScoreAdj { get; internal set; }
    /// <summary>Rank in the domain (1 = chosen first); 0 when it can never be chosen.</summary>
    public int Rank { get; internal set; }
    /// <summary>
    /// Its oom_badness in pages; null when the scan never chooses it (init, a kernel thread, -1000, ...).
    /// </summary>
    public long? Points { get; internal set; }
    /// <summary>Pages between it and the next process above it in the ranking (null when it ranks first or is unkillable).</summary>
    public long? MarginPages { get; internal set; }
    /// <summary>Pid of the process ranked just above it.</summary>
    public int? Above { get; internal set; }
    /// <summary>Its position in the kill order (null when the run ends without killing it).</summary>
    public int? KillPosition { get; internal set; }
    /// <summary>The processes killed before it, in order (pid and name).</summary>
    public IReadOnlyList<string> DiesBefore { get; internal set; } = new List<string>();
    /// <summary>The N the protection is measured against: it must survive the first N kills.</summary>
    public int Kills { get; internal set; }
    /// <summary>It survives the first <see cref="Kills"/> kills with its current oom_score_adj.</summary>
    public bool Protected { get; internal set; }
    /// <summary>The highest oom_score_adj that keeps it out of the first N kills (null when even -999 does not).</summary>
    public int? MaxSafeOomScoreAdj { get; internal set; }

    /// <summary>
    /// One line: pid, name, rank, whether it is protected for <see cref="Kills"/> kills, and the highest safe
    /// oom_score_adj.
    /// </summary>
    public override string ToString() =>
        $"{Pid} ({Name}): rank {Rank}, {(Protected ? "protected" : "NOT protected")} for {Kills} kill(s), max safe oom_score_adj {MaxSafeOomScoreAdj?.ToString() ?? "none"}";
}
