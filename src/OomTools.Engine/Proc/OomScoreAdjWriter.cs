using System.Collections.Generic;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Proc;

/// <summary>What a write of /proc/PID/oom_score_adj or /proc/PID/oom_adj did.</summary>
public sealed class OomScoreAdjChange
{
    internal OomScoreAdjChange(OomTask task, int oldAdj, int oldMin)
    {
        Task = task;
        OldOomScoreAdj = oldAdj;
        OldOomScoreAdjMin = oldMin;
        NewOomScoreAdj = oldAdj;
        NewOomScoreAdjMin = oldMin;
    }

    /// <summary>The process written to.</summary>
    public OomTask Task { get; }
    /// <summary>Its pid.</summary>
    public int Pid => Task.Pid;
    /// <summary>Its comm.</summary>
    public string Name => Task.Comm;
    /// <summary>The write's errno; <see cref="Errno.Success"/> when it was taken.</summary>
    public Errno Errno { get; internal set; }
    /// <summary>What the write returned: the byte count on success, else the negative errno.</summary>
    public string Reason { get; internal set; } = "";
    /// <summary>oom_score_adj before the write.</summary>
    public int OldOomScoreAdj { get; }
    /// <summary>oom_score_adj after it (the old value when it failed).</summary>
    public int NewOomScoreAdj { get; internal set; }
    /// <summary>oom_score_adj_min before the write.</summary>
    public int OldOomScoreAdjMin { get; }
    /// <summary>oom_score_adj_min after it.</summary>
    public int NewOomScoreAdjMin { get; internal set; }
    /// <summary>The other processes sharing the mm that took the same value (MMF_MULTIPROCESS).</summary>
    public IReadOnlyList<int> PropagatedTo => propagated;
    internal readonly List<int> propagated = new();

    /// <summary>The change, or the errno and why.</summary>
    public override string ToString() => Errno == Errno.Success
        ? $"{Task}: oom_score_adj {OldOomScoreAdj} -> {NewOomScoreAdj}"
        : $"{Task}: {Errno} ({Reason})";
}

/// <summary>
/// fs/proc/base.c's writers of <c>/proc/PID/oom_score_adj</c> and the legacy <c>/proc/PID/oom_adj</c>, and the
/// legacy reader: <c>kstrtoint</c> parsing (base 0: <c>0x</c> hex, leading-0 octal; at most 12 characters
/// kept), the range checks, the conversions between the -17..15 and -1000..1000 scales, the permission rule
/// for writers without CAP_SYS_RESOURCE, and <c>__set_oom_adj</c>'s propagation to processes sharing the mm.
/// </summary>
public static class OomScoreAdjWriter
{
    /// <summary><c>OOM_DISABLE</c>: the legacy oom_adj value that exempts a process.</summary>
    public const int OomDisable = -17;
    /// <summary><c>OOM_ADJUST_MIN</c>: the lowest legacy oom_adj other than OOM_DISABLE.</summary>
    public const int OomAdjustMin = -16;
    /// <summary><c>OOM_ADJUST_MAX</c>: the highest legacy oom_adj.</summary>
    public const int OomAdjustMax = 15;
    private const int ProcNumBuf = 13;

    /// <summary><c>oom_score_adj_write()</c>.</summary>
    public static OomScoreAdjChange WriteOomScoreAdj(OomMachine m, OomTask task, string text, bool privileged) =>
        WriteOomScoreAdj(m, task, text, privileged, dryRun: false);

    /// <summary><c>oom_adj_write()</c>: -17 (OOM_DISABLE) or -16..15; 15 means 1000, else <c>adj * 1000 / 17</c>.</summary>
    public static OomScoreAdjChange WriteOomAdj(OomMachine m, OomTask task, string text, bool privileged) =>
        WriteOomAdj(m, task, text, privileged, dryRun: false);

    /// <summary>
    /// What <see cref="WriteOomScoreAdj(OomMachine, OomTask, string, bool)"/> (or, with <paramref name="legacy"/>,
    /// <see cref="WriteOomAdj(OomMachine, OomTask, string, bool)"/>) would return, without writing: the errno of every
    /// refusal (EINVAL, ERANGE, ESRCH, EACCES), <see cref="Errno.Success"/> when the write would be taken. A caller
    /// writing several processes checks them all first, so one refusal writes none.
    /// </summary>
    public static OomScoreAdjChange CheckWrite(OomMachine m, OomTask task, string text, bool legacy, bool privileged) =>
        legacy ? WriteOomAdj(m, task, text, privileged, dryRun: true) : WriteOomScoreAdj(m, task, text, privileged, dryRun: true);

    private static OomScoreAdjChange WriteOomScoreAdj(OomMachine m, OomTask task, string text, bool privileged, bool dryRun)
    {
        var change = new OomScoreAdjChange(task, task.oomScoreAdj, task.oomScoreAdjMin);
        if (!Parse(text, change, out var value)) return change;
        if (value < OomScoreAdj.MinValue || value > OomScoreAdj.MaxValue)
            return Fail(change, Errno.EINVAL, $"{value} is outside {OomScoreAdj.MinValue}..{OomScoreAdj.MaxValue}");
        return DoSetOomAdj(m, task, OomScoreAdj.From(value), legacy: false, privileged, change, dryRun);
    }

    private static OomScoreAdjChange WriteOomAdj(OomMachine m, OomTask task, string text, bool privileged, bool dryRun)
    {
        var change = new OomScoreAdjChange(task, task.oomScoreAdj, task.oomScoreAdjMin);
        if (!Parse(text, change, out var value)) return change;
        if ((value < OomAdjustMin || value > OomAdjustMax) && value != OomDisable)
            return Fail(change, Errno.EINVAL, $"oom_adj takes -17 or -16..15; {value} is not");
        return DoSetOomAdj(m, task, OomScoreAdj.From(LegacyToScoreAdj(value)), legacy: true, privileged, change, dryRun);
    }

    /// <summary>The legacy scale's write conversion: 15 → 1000, else <c>adj * 1000 / 17</c> truncated.</summary>
    public static int LegacyToScoreAdj(int oomAdj) =>
        oomAdj == OomAdjustMax ? OomScoreAdj.MaxValue : oomAdj * OomScoreAdj.MaxValue / -OomDisable;

    /// <summary><c>oom_adj_read()</c>: 1000 → 15, else <c>adj * 17 / 1000</c> truncated and capped at 15.</summary>
    public static int ReadOomAdj(OomTask task)
    {
        int adj = task.oomScoreAdj;
        int legacy = adj == OomScoreAdj.MaxValue ? OomAdjustMax : adj * -OomDisable / OomScoreAdj.MaxValue;
        return legacy > OomAdjustMax ? OomAdjustMax : legacy;
    }

    /// <summary>
    /// <c>__set_oom_adj()</c>. Without CAP_SYS_RESOURCE a legacy write may only raise the value and a new-style
    /// write may not go below oom_score_adj_min (EACCES); with it, a new-style write also sets the min. When the
    /// mm is shared through CLONE_VM (MMF_MULTIPROCESS) and the target is no vfork child, every other process
    /// using that mm takes the value, except kernel threads, global init and vfork children.
    /// </summary>
    public static OomScoreAdjChange SetOomAdj(OomMachine m, OomTask task, OomScoreAdj adj, bool legacy, bool privileged,
        OomScoreAdjChange? change = null) => DoSetOomAdj(m, task, adj, legacy, privileged, change, dryRun: false);

    private static OomScoreAdjChange DoSetOomAdj(OomMachine m, OomTask task, OomScoreAdj adj, bool legacy, bool privileged,
        OomScoreAdjChange? change, bool dryRun)
    {
        change ??= new OomScoreAdjChange(task, task.oomScoreAdj, task.oomScoreAdjMin);
        if (!ReferenceEquals(m.FindTask(task.Pid), task)) return Fail(change, Errno.ESRCH, "the process is gone");
        if (legacy && adj.Value < task.oomScoreAdj && !privileged)
            return Fail(change, Errno.EACCES, "without CAP_SYS_RESOURCE the legacy oom_adj may only be raised");
        if (!legacy && adj.Value < task.oomScoreAdjMin && !privileged)
            return Fail(change, Errno.EACCES, $"without CAP_SYS_RESOURCE oom_score_adj may not go below its oom_score_adj_min {task.oomScoreAdjMin}");
        if (dryRun)
        {
            change.Errno = Errno.Success;
            change.Reason = "would be written";
            return change;
        }
        if (legacy && !m.OomAdjDeprecationWarned)
            m.Log.Warn($"{OomKiller.KernelWorkerComm} (0): /proc/{task.Pid}/oom_adj is deprecated, please use /proc/{task.Pid}/oom_score_adj instead.");

        if (legacy) m.OomAdjDeprecationWarned = true; // pr_warn_once
        MemoryDescriptor? shared = null;
        if (!task.InVfork && task.Mm is { } mm && (mm.Flags & MmFlags.MultiProcess) != 0 && OomKiller.FindLockTaskMm(task) >= 0)
            shared = mm;
        bool setMin = !legacy && privileged;
        Apply(task, adj.Value, setMin);
        if (shared is not null)
        {
            foreach (var p in m.Tasks)
            {
                if (ReferenceEquals(p, task) || p.IsKernelThread || p.IsGlobalInit) continue;
                if (!p.InVfork && OomKiller.ProcessSharesMm(p, shared))
                {
                    Apply(p, adj.Value, setMin);
                    change.propagated.Add(p.Pid);
                }
            }
        }
        change.NewOomScoreAdj = task.oomScoreAdj;
        change.NewOomScoreAdjMin = task.oomScoreAdjMin;
        change.Errno = Errno.Success;
        change.Reason = "written";
        return change;
    }

    private static void Apply(OomTask p, short adj, bool setMin)
    {
        p.oomScoreAdj = adj;
        if (setMin) p.oomScoreAdjMin = adj;
    }

    private static OomScoreAdjChange Fail(OomScoreAdjChange change, Errno errno, string why)
    {
        change.Errno = errno;
        change.Reason = why;
        return change;
    }

    /// <summary><c>kstrtoint(strstrip(buf), 0, ...)</c> on the first PROC_NUMBUF-1 characters.</summary>
    private static bool Parse(string text, OomScoreAdjChange change, out int value)
    {
        value = 0;
        var s = (text ?? "").Length > ProcNumBuf - 1 ? text!.Substring(0, ProcNumBuf - 1) : text ?? "";
        s = s.Trim();
        bool negative = s.StartsWith("-", System.StringComparison.Ordinal);
        if (negative || s.StartsWith("+", System.StringComparison.Ordinal)) s = s.Substring(1);
        int radix = 10;
        if (s.StartsWith("0x", System.StringComparison.OrdinalIgnoreCase)) { radix = 16; s = s.Substring(2); }
        else if (s.Length > 1 && s[0] == '0') { radix = 8; s = s.Substring(1); }
        if (s.Length == 0) { Fail(change, Errno.EINVAL, $"'{text}' is not a number"); return false; }
        long v = 0;
        foreach (var c in s)
        {
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : 99;
            if (d >= radix) { Fail(change, Errno.EINVAL, $"'{text}' is not a number"); return false; }
            v = v * radix + d;
            if (v > (long)int.MaxValue + 1) { Fail(change, Errno.ERANGE, $"'{text}' does not fit an int"); return false; }
        }
        if (negative) v = -v;
        if (v > int.MaxValue || v < int.MinValue) { Fail(change, Errno.ERANGE, $"'{text}' does not fit an int"); return false; }
        value = (int)v;
        return true;
    }
}
