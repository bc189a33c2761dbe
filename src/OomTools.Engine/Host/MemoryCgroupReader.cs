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
            }
            else
            {
                if (Size(fs, dir, "memory.max", warn) is { } max) cg.MemoryMax = Clamp(machine, max);
                if (Size(fs, dir, "memory.swap.max", warn) is { } swap) cg.SwapMax = Clamp(machine, swap);
                if (Number(fs, dir, "memory.oom.group", warn) is { } group) cg.OomGroup = group == 1;
                if (Size(fs, dir, "memory.current", warn) is { } usage) cg.Usage = Clamp(machine, usage);
            }
        });

    /// <summary>Pages for a byte count, never above PAGE_COUNTER_MAX (page_counter_memparse).</summary>
    private static Pages Clamp(OomMachine m, Bytes bytes) => Pages.Min(bytes.ToPages(m.PageSize), m.PageCounterMax);

    /// <summary>A cgroupfs size in bytes; <c>max</c> (unlimited) reads as the largest one.</summary>
    private static Bytes? Size(IHostFileSystem fs, string dir, string file, Action<string> warn) =>
        Number(fs, dir, file, warn) is { } n ? new Bytes(n) : null;

    /// <summary>A cgroupfs number; <c>max</c> reads as <see cref="long.MaxValue"/>.</summary>
    private static long? Number(IHostFileSystem fs, string dir, string file, Action<string> warn)
    {
        var text = HostSnapshot.Read(fs, HostSnapshot.Join(dir, file), warn)?.Trim();
        if (text is null) return null;
        if (text == "max") return long.MaxValue;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
    }
}
