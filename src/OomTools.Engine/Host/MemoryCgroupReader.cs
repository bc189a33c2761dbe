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
                if (Bytes(fs, dir, "memory.limit_in_bytes", warn) is { } max) cg.MemoryMax = Clamp(machine, max);
                if (Bytes(fs, dir, "memory.memsw.limit_in_bytes", warn) is { } memsw) cg.MemswMax = Clamp(machine, memsw);
                if (Bytes(fs, dir, "memory.swappiness", warn) is { } sw) cg.Swappiness = (int)Math.Min(200, sw);
                if (Bytes(fs, dir, "memory.usage_in_bytes", warn) is { } usage) cg.Usage = Clamp(machine, usage);
            }
            else
            {
                if (Bytes(fs, dir, "memory.max", warn) is { } max) cg.MemoryMax = Clamp(machine, max);
                if (Bytes(fs, dir, "memory.swap.max", warn) is { } swap) cg.SwapMax = Clamp(machine, swap);
                if (Bytes(fs, dir, "memory.oom.group", warn) is { } group) cg.OomGroup = group == 1;
                if (Bytes(fs, dir, "memory.current", warn) is { } usage) cg.Usage = Clamp(machine, usage);
            }
        });

    /// <summary>Pages for a byte limit ("max" is unlimited), never above PAGE_COUNTER_MAX.</summary>
    private static Pages Clamp(OomMachine m, long bytes) =>
        new(Math.Min(bytes == long.MaxValue ? long.MaxValue : bytes / m.PageSize, m.PageCounterMax.Value));

    private static long? Bytes(IHostFileSystem fs, string dir, string file, Action<string> warn)
    {
        var text = HostSnapshot.Read(fs, HostSnapshot.Join(dir, file), warn)?.Trim();
        if (text is null) return null;
        if (text == "max") return long.MaxValue;
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : null;
    }
}
