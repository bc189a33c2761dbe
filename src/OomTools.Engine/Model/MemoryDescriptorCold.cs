using System.Collections.Generic;

namespace OomTools.Engine.Model;

/// <summary>
/// The fields of a <see cref="MemoryDescriptor"/> that most mms leave at their defaults: a counter too wide for the
/// mm's 32-bit field (or flags, an owner or a count too wide for its packed one), the mmap_lock holds, the MMU notifier, the mappings, what a host snapshot read of smaps, and
/// the shared objects it maps. Created on the first write of a value other than the default (bench/: bytes per task).
/// </summary>
internal sealed class MemoryDescriptorCold
{
    /// <summary>The full values of the counters whose 32-bit field reads <see cref="MemoryDescriptor"/>'s "wide" mark, by slot.</summary>
    internal long[]? wide;
    internal bool mmapLockHeldForWrite;
    internal long mmapLockReleaseAt = long.MinValue;
    internal bool mmuNotifierBlocks;
    internal List<Vma>? vmas;
    internal SmapsRollup? smapsRollup;
    internal List<ShmemMapping>? shmemMappings;
    internal List<SharedMemory>? shared;
    internal long sharedAnon, sharedShmem;
    // The values too wide for the mm's packed fields (see MemoryDescriptor's meta and counts).
    internal MmFlags flags;
    internal int users, processes, ownerPid;

    /// <summary>
    /// A copy for a copied mm: its own wide counters, mappings and smaps lists; no shared objects (the machine's
    /// Clone maps them and their mappers again).
    /// </summary>
    internal MemoryDescriptorCold Copy()
    {
        var copy = (MemoryDescriptorCold)MemberwiseClone();
        copy.wide = (long[]?)wide?.Clone();
        copy.vmas = vmas?.ConvertAll(v => v.Clone());
        copy.shmemMappings = shmemMappings is null ? null : new(shmemMappings);
        copy.shared = null;
        copy.sharedAnon = copy.sharedShmem = 0;
        return copy;
    }
}
