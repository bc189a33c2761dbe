using System;
using System.Collections.Generic;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Reports;

/// <summary>
/// One OOM event read back from kernel log text: when and where it happened, what allocation triggered it,
/// the constraint, the machine's size, every task-table row, and the kernel's choice. <see cref="Machine"/> is
/// the machine rebuilt from it, an ordinary OomMachine to replay and change.
/// </summary>
public sealed class OomReport
{
    private readonly List<string> notReplayable = new();
    internal readonly List<OomReportTask> tasks = new();
    internal readonly List<ReportLine> lines = new();
    internal readonly List<int> killedPids = new();
    internal readonly List<int> reapedPids = new();

    /// <summary>The file the event came from, or "(pipeline)".</summary>
    public string Source { get; internal set; } = "(pipeline)";
    /// <summary>1-based position of this event among the source's events.</summary>
    public int Index { get; internal set; }
    /// <summary>The stamp of the event's first line (dmesg seconds, dmesg -T date or syslog date).</summary>
    public string? Time { get; internal set; }

    /// <summary>The kernel release as printed (<c>6.18.44-fc-v657</c>), when a line shows it.</summary>
    public string? KernelRelease { get; internal set; }
    /// <summary>Major.minor of <see cref="KernelRelease"/>.</summary>
    public Version? KernelVersion { get; internal set; }

    // The allocation that triggered the OOM (the "invoked oom-killer" line and dump_stack's CPU line).
    public string? TriggerName { get; internal set; }
    public int? TriggerPid { get; internal set; }
    public uint? GfpMaskValue { get; internal set; }
    /// <summary>The gfp mask as the report printed it, e.g. <c>0xcc0(GFP_KERNEL)</c>.</summary>
    public string? GfpMask { get; internal set; }
    /// <summary>The decoded flag names (from the report, or decoded here when it printed none).</summary>
    public string? GfpFlags { get; internal set; }
    public int Order { get; internal set; }
    public int? TriggerOomScoreAdj { get; internal set; }

    public OomConstraint? Constraint { get; internal set; }
    /// <summary>The memory cgroup whose limit was hit (<c>oom_memcg=</c>); null for a global OOM.</summary>
    public string? OomMemcg { get; internal set; }
    /// <summary>The victim's memory cgroup (<c>task_memcg=</c>).</summary>
    public string? TaskMemcg { get; internal set; }
    public string? Nodemask { get; internal set; }
    public string? Cpuset { get; internal set; }
    public string? MemsAllowed { get; internal set; }

    // Mem-Info totals (global OOMs), typed; the *Kb and Pages* numbers beside them are what views and scripts read.
    /// <summary><c>N pages RAM</c>: the present pages, reserved ones included.</summary>
    public Pages? Ram { get; internal set; }
    /// <summary><c>N pages reserved</c>.</summary>
    public Pages? Reserved { get; internal set; }
    /// <summary><c>Total swap = N kB</c>.</summary>
    public Kibibytes? TotalSwap { get; internal set; }
    /// <summary><c>Free swap  = N kB</c>.</summary>
    public Kibibytes? FreeSwap { get; internal set; }
    /// <summary><see cref="Ram"/> as a number of pages.</summary>
    public long? PagesRam => Ram?.Value;
    /// <summary><see cref="Reserved"/> as a number of pages.</summary>
    public long? PagesReserved => Reserved?.Value;
    /// <summary><see cref="TotalSwap"/> as a number of kB.</summary>
    public long? TotalSwapKb => TotalSwap?.Value;
    /// <summary><see cref="FreeSwap"/> as a number of kB.</summary>
    public long? FreeSwapKb => FreeSwap?.Value;
    public IReadOnlyList<string> Hugepages => hugepages;
    internal readonly List<string> hugepages = new();

    // mem_cgroup_print_oom_meminfo (memcg OOMs): "<what>: usage N kB, limit N kB".
    /// <summary>The <c>memory:</c> line's usage.</summary>
    public Kibibytes? MemcgUsage { get; internal set; }
    /// <summary>The <c>memory:</c> line's limit.</summary>
    public Kibibytes? MemcgLimit { get; internal set; }
    /// <summary>The <c>memory+swap:</c> line's usage (cgroup v1).</summary>
    public Kibibytes? MemswUsage { get; internal set; }
    /// <summary>The <c>memory+swap:</c> line's limit (cgroup v1).</summary>
    public Kibibytes? MemswLimit { get; internal set; }
    /// <summary>The <c>swap:</c> line's usage (cgroup v2).</summary>
    public Kibibytes? SwapUsage { get; internal set; }
    /// <summary>The <c>swap:</c> line's limit (cgroup v2).</summary>
    public Kibibytes? SwapLimit { get; internal set; }
    /// <summary><see cref="MemcgUsage"/> as a number of kB.</summary>
    public long? MemcgUsageKb => MemcgUsage?.Value;
    /// <summary><see cref="MemcgLimit"/> as a number of kB.</summary>
    public long? MemcgLimitKb => MemcgLimit?.Value;
    /// <summary><see cref="MemswUsage"/> as a number of kB.</summary>
    public long? MemswUsageKb => MemswUsage?.Value;
    /// <summary><see cref="MemswLimit"/> as a number of kB.</summary>
    public long? MemswLimitKb => MemswLimit?.Value;
    /// <summary><see cref="SwapUsage"/> as a number of kB.</summary>
    public long? SwapUsageKb => SwapUsage?.Value;
    /// <summary><see cref="SwapLimit"/> as a number of kB.</summary>
    public long? SwapLimitKb => SwapLimit?.Value;
    /// <summary>v1 when the report has <c>memory+swap:</c>, v2 when it has <c>swap:</c>.</summary>
    public CgroupVersion? CgroupVersion { get; internal set; }

    /// <summary>The task-table rows in table order (the kernel's scan order).</summary>
    public IReadOnlyList<OomReportTask> Tasks => tasks;
    public bool HasTaskTable { get; internal set; }
    /// <summary>The header's column names, e.g. <c>uid tgid total_vm rss nr_ptes swapents oom_score_adj name</c>.</summary>
    public IReadOnlyList<string>? TaskTableColumns { get; internal set; }

    /// <summary>The process the kernel chose (<c>Kill process N</c>, <c>oom-kill:</c>, <c>Killed process N</c>).</summary>
    public int? SelectedPid { get; internal set; }
    public string? SelectedName { get; internal set; }
    /// <summary>The score old kernels printed with <c>Kill process ... score N</c>.</summary>
    public long? SelectedScore { get; internal set; }
    /// <summary>Every pid the kernel reported as killed in this event.</summary>
    public IReadOnlyList<int> KilledPids => killedPids;
    /// <summary>The <c>total-vm:</c> of the first <c>Killed process</c> line (it tells the page size).</summary>
    internal Kibibytes? KilledTotalVm;
    internal int? KilledTotalVmPid;

    /// <summary>The <c>Killed process</c> line's prefix: "Out of memory" or "Memory cgroup out of memory".</summary>
    public string? KillMessage { get; internal set; }
    /// <summary>The memory.oom.group cgroup whose tasks were all killed, if any.</summary>
    public string? OomGroup { get; internal set; }
    /// <summary>The kernel found nothing to kill ("Out of memory and no killable processes...").</summary>
    public bool NoKillableProcesses { get; internal set; }
    /// <summary>"oom_kill_process: N callbacks suppressed" printed just before this event.</summary>
    public int? SuppressedBefore { get; internal set; }

    public bool Replayable => notReplayable.Count == 0;
    /// <summary>Why the event cannot be replayed (empty when it can).</summary>
    public IReadOnlyList<string> NotReplayableReasons => notReplayable;
    public string? NotReplayableReason => notReplayable.Count == 0 ? null : string.Join("; ", notReplayable);

    /// <summary>The lines of this event with their line numbers.</summary>
    public IReadOnlyList<ReportLine> Lines => lines;

    /// <summary>The machine rebuilt from the report (null when it cannot be).</summary>
    public OomMachine? Machine { get; internal set; }
    /// <summary>Notes on what the rebuild had to assume.</summary>
    public IReadOnlyList<string> Assumptions => assumptions;
    internal readonly List<string> assumptions = new();

    // For pipeline binding into Invoke-OutOfMemory.
    /// <summary>The memcg to replay in (<see cref="OomMemcg"/> for a memcg OOM).</summary>
    public string? Cgroup => Constraint == OomConstraint.Memcg ? OomMemcg : null;
    /// <summary>The trigger's pid when it is in the rebuilt machine.</summary>
    public int? Current => TriggerPid is { } p && Machine?.FindTask(p) is not null ? p : null;

    internal void NotReplayable(string why)
    {
        if (!notReplayable.Contains(why)) notReplayable.Add(why);
    }

    public override string ToString() =>
        $"{Source} #{Index}: {TriggerName ?? "?"} -> {(SelectedPid is { } p ? $"{p} ({SelectedName})" : "no victim")}{(Replayable ? "" : " [not replayable]")}";
}
