using System;
using System.Globalization;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Host;

/// <summary>Creates a host's memory cgroup (and its parents) in the machine, with the limits cgroupfs shows.</summary>
internal static class MemoryCgroupReader
{
    public static MemoryCgroup Ensure(OomMachine machine, IHostFileSystem fs, string memRoot, string path, CgroupVersion version, Action<string> warn) =>
        machine.GetOrCreateCgroup(path, cg =>
        {
            var dir = HostSnapshot.Join(memRoot, cg.Path.TrimStart('/'));
            if (version == CgroupVersion.V1)
            {
                if (Size(fs, dir, "memory.limit_in_bytes", warn) is { } max) cg.MemoryMax = Clamp(machine, max);
                if (Size(fs, dir, "memory.memsw.limit_in_bytes", warn) is { } memsw) cg.MemswMax = Clamp(machine, memsw);
                if (Number(fs, dir, "memory.swappiness", warn) is { } sw) cg.Swappiness = (int)Math.Min(200, sw);
                if (Size(fs, dir, "memory.usage_in_bytes", warn) is { } usage) cg.Usage = Clamp(machine, usage);
                // memory.oom_control (mem_cgroup_oom_control_read): oom_kill_disable, under_oom, oom_kill.
                var control = Keyed(fs, dir, "memory.oom_control", warn);
                if (Key(control, "oom_kill_disable") is { } disable) cg.OomKillDisable = disable == 1;
                if (Key(control, "under_oom") is { } underOom) cg.UnderOom = underOom == 1;
                if (Key(control, "oom_kill") is { } kills) cg.OomKill = kills;
            }
            else
            {
                if (Size(fs, dir, "memory.max", warn) is { } max) cg.MemoryMax = Clamp(machine, max);
                if (Size(fs, dir, "memory.swap.max", warn) is { } swap) cg.SwapMax = Clamp(machine, swap);
                if (Number(fs, dir, "memory.oom.group", warn) is { } group) cg.OomGroup = group == 1;
                if (Size(fs, dir, "memory.current", warn) is { } usage) cg.Usage = Clamp(machine, usage);
                // memory.events counts the cgroup and its descendants, as the model's counters do on v2.
                var events = Keyed(fs, dir, "memory.events", warn);
                if (Key(events, "oom") is { } ooms) cg.Oom = ooms;
                if (Key(events, "oom_kill") is { } kills) cg.OomKill = kills;
                if (Key(events, "oom_group_kill") is { } groupKills) cg.OomGroupKill = groupKills;
            }
        });

    /// <summary>Pages for a byte count, never above PAGE_COUNTER_MAX (page_counter_memparse).</summary>
    private static Pages Clamp(OomMachine m, Bytes bytes) => Pages.Min(bytes.ToPages(m.PageSize), m.PageCounterMax);

    /// <summary>A cgroupfs size in bytes; <c>max</c> (unlimited) reads as the largest one.</summary>
    private static Bytes? Size(IHostFileSystem fs, string dir, string file, Action<string> warn) =>
        Number(fs, dir, file, warn) is { } n ? new Bytes(n) : null;

    /// <summary>A cgroupfs file of <c>key value</c> lines (memory.events, memory.oom_control); null when unreadable.</summary>
    private static string[]? Keyed(IHostFileSystem fs, string dir, string file, Action<string> warn) =>
        HostSnapshot.Read(fs, HostSnapshot.Join(dir, file), warn)?.Split('\n');

    /// <summary>The value of <paramref name="key"/> in a keyed file; null when the line is missing or not a number.</summary>
    private static long? Key(string[]? lines, string key)
    {
        if (lines is null) return null;
        foreach (var line in lines)
        {
            var parts = line.Trim().Split(' ');
            if (parts.Length == 2 && parts[0] == key &&
                long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var v)) return v;
        }
        return null;
    }

    /// <summary>A cgroupfs number; <c>max</c> reads as <see cref="long.MaxValue"/>.</summary>
    private static long? Number(IHostFileSystem fs, string dir, string file, Action<string> warn)
    {
        var text = HostSnapshot.Read(fs, HostSnapshot.Join(dir, file), warn)?.Trim();
        if (text is null) return null;
        if (text == "max") return long.MaxValue;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
    }
}
