using System;
using System.IO;
using OomTools.Engine.Model;

namespace OomTools.Engine.Host;

/// <summary>
/// Tells whether a task of a snapshot is still the process it was read from, before anything is written to it:
/// the host's boot id must be the one the snapshot recorded, and <c>/proc/PID/stat</c>'s start time the one read
/// (pids are reused; start time and boot id are what tell two users of one pid apart).
/// </summary>
public static class HostBoot
{
    /// <summary>Where the boot id is, under a proc root.</summary>
    public const string BootIdFile = "sys/kernel/random/boot_id";

    /// <summary>The boot id under <paramref name="procRoot"/>, trimmed; null when it is missing, empty or unreadable.</summary>
    public static string? ReadBootId(IHostFileSystem fs, string procRoot)
    {
        if (fs is null) throw new ArgumentNullException(nameof(fs));
        string? text;
        try { text = fs.ReadText(HostSnapshot.Join(procRoot, BootIdFile)); }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException) { return null; }
        text = text?.Trim();
        return string.IsNullOrEmpty(text) ? null : text;
    }

    /// <summary>
    /// <c>/proc/PID/stat</c>'s start time (field 22, clock ticks since boot) under <paramref name="procRoot"/>; null when
    /// the process is gone or its stat has no start time.
    /// </summary>
    public static long? ReadStartTime(IHostFileSystem fs, string procRoot, int pid)
    {
        if (fs is null) throw new ArgumentNullException(nameof(fs));
        string? stat;
        try { stat = fs.ReadText(HostSnapshot.Join(procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/stat")); }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException) { return null; }
        HostSnapshot.ParseStat(stat, out var start, out _);
        return start == long.MaxValue ? null : start;
    }

    /// <summary>
    /// Why <paramref name="task"/> may not be written on the host under
    /// <paramref name="procRoot"/>, or null when it may: it must come from a snapshot of this boot of this host
    /// (<see cref="OomMachine.HostBootId"/> and <see cref="OomTask.HostOrigin"/>), and its pid must still be the
    /// process that was read (the same start time). <paramref name="changed"/> tells a reused pid from an object of
    /// another host or boot.
    /// </summary>
    public static string? WhyNotLive(IHostFileSystem fs, string procRoot, OomTask task, out bool changed)
    {
        if (task is null) throw new ArgumentNullException(nameof(task));
        changed = false;
        var origin = task.HostOrigin;
        if (origin is null)
            return $"pid {task.Pid} ({task.Comm}) was not read from this host by Get-OomSnapshot (a machine built, imported or read from a saved tree has no boot id): it names no process here. Give -Pid explicitly to write a process of this host.";
        var boot = ReadBootId(fs, procRoot);
        if (boot is null)
            return $"'{HostSnapshot.Join(procRoot, BootIdFile)}' cannot be read, so pid {task.Pid} ({task.Comm}) cannot be matched to a process of this boot. Give -Pid explicitly to write it anyway.";
        if (!string.Equals(boot, origin.BootId, StringComparison.Ordinal))
            return $"pid {task.Pid} ({task.Comm}) was read on boot {origin.BootId}, and this host runs boot {boot}: it is another host, or this one rebooted since the snapshot.";
        var start = ReadStartTime(fs, procRoot, task.Pid);
        if (start != origin.StartTime)
        {
            changed = true;
            return start is null
                ? $"pid {task.Pid} is no longer the process that was read ({task.Comm}): it has exited."
                : $"pid {task.Pid} is no longer the process that was read ({task.Comm}, started at tick {origin.StartTime}; pid {task.Pid} now started at tick {start}).";
        }
        return null;
    }
}
