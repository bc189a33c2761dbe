using System.Collections.Generic;
using OomTools.Engine.Model;

namespace OomTools.Engine.Audit;

/// <summary>
/// How well one critical process is protected: its rank, the margin to the process ranked just above it, who
/// dies before it, and the highest oom_score_adj that still keeps it out of the first N kills.
/// </summary>
public sealed class ProtectionReport
{
    /// <summary>
    /// What the row stands for: the process name, cgroup path or "pid N" that picked its processes. A service's
    /// row describes the first of its processes to die (or, when none dies, the one ranked highest).
    /// </summary>
    public string Service { get; internal set; } = "";
    /// <summary>How many processes the service has (1 for a single process).</summary>
    public int ProcessCount { get; internal set; } = 1;
    /// <summary>Each process's own row when the service has several; empty for a single process.</summary>
    public IReadOnlyList<ProtectionReport> Processes { get; internal set; } = new List<ProtectionReport>();
    /// <summary>
    /// The machine assessed: a fleet's reports come back from parallel runspaces in the order they finish, and this
    /// says whose each is (and binds -Machine by property name when a report is piped on).
    /// </summary>
    public OomMachine? Machine { get; internal set; }
    /// <summary>The OOM domain assessed: the memory cgroup whose limit is hit, or "global".</summary>
    public string Domain { get; internal set; } = "global";
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
    public IReadOnlyList<string> DiesBefore { get; internal set; } = KilledBefore.None;
    /// <summary>The N the protection is measured against: it must survive the first N kills.</summary>
    public int Kills { get; internal set; }
    /// <summary>
    /// It survives the first <see cref="Kills"/> kills with its current oom_score_adj (for a service: all of its
    /// processes do).
    /// </summary>
    public bool Protected { get; internal set; }
    /// <summary>
    /// The highest oom_score_adj that keeps it out of the first N kills (for a service: given to all of its
    /// processes); null when even -999 does not, and <see cref="MaxSafeReason"/> says why.
    /// </summary>
    public int? MaxSafeOomScoreAdj { get; internal set; }
    /// <summary>Why <see cref="MaxSafeOomScoreAdj"/> is empty: who still dies at -999, when, after whom; "" otherwise.</summary>
    public string MaxSafeReason { get; internal set; } = "";
    /// <summary>
    /// When not protected: how many pages its oom_badness is above the score of <see cref="GapTo"/>, the other
    /// process that would be the N-th victim in its place (the memory it would need to shed at its adj); null
    /// when protected or when too few other processes can be killed.
    /// </summary>
    public long? NeedsPages { get; internal set; }
    /// <summary>The process <see cref="NeedsPages"/> is measured against (pid and name).</summary>
    public string? GapTo { get; internal set; }
    /// <summary>The machine's page size in bytes, to show <see cref="NeedsPages"/> and the margins in bytes.</summary>
    public int PageSize { get; internal set; } = 4096;
    /// <summary>One sentence: who dies when, after whom, and what would protect it (a runbook's failure message).</summary>
    public string Verdict { get; internal set; } = "";

    /// <summary>A shallow copy, to become a service's row without changing the process's own.</summary>
    internal ProtectionReport Copy() => (ProtectionReport)MemberwiseClone();

    /// <summary>
    /// One line: pid, name, rank, whether it is protected for <see cref="Kills"/> kills, and the highest safe
    /// oom_score_adj.
    /// </summary>
    public override string ToString() =>
        $"{Pid} ({Name}): rank {Rank}, {(Protected ? "protected" : "NOT protected")} for {Kills} kill(s), max safe oom_score_adj {MaxSafeOomScoreAdj?.ToString() ?? "none"}";
}
