using System;
using System.Collections.Generic;
using OomTools.Engine.Model;

namespace OomTools.Engine.Exit;

/// <summary>
/// What exit_mmap gave back, as values: <see cref="MmRelease"/> before it is made. A kill order exits hundreds of
/// processes an audit and reads only the pages released, so its exits make no object (<see cref="TaskExit"/>).
/// </summary>
internal readonly struct ExitMmapResult
{
    internal ExitMmapResult(long privateAnon, long ownFile, long ownShmem, long swap, long pageTables, IReadOnlyList<SharedMemory> sharedFreed, long sharedKept)
    {
        LastUser = true;
        PrivateAnon = privateAnon;
        OwnFile = ownFile;
        OwnShmem = ownShmem;
        Swap = swap;
        PageTables = pageTables;
        SharedFreed = sharedFreed;
        SharedKept = sharedKept;
    }

    /// <summary>exit_mmap ran (false, the default, when others still use the mm).</summary>
    internal bool LastUser { get; }
    internal long PrivateAnon { get; }
    internal long OwnFile { get; }
    internal long OwnShmem { get; }
    internal long Swap { get; }
    internal long PageTables { get; }
    internal IReadOnlyList<SharedMemory> SharedFreed { get; }
    internal long SharedKept { get; }

    /// <summary><see cref="MmRelease.Released"/>: everything the mm held that went with it, in pages.</summary>
    internal long Released
    {
        get
        {
            if (!LastUser) return 0;
            long shared = 0;
            for (int i = 0; i < SharedFreed.Count; i++) shared += SharedFreed[i].Pages.Value;
            return PrivateAnon + Swap + shared + OwnFile + OwnShmem + PageTables;
        }
    }

    /// <summary>The public form (<see cref="MmRelease.None"/> when exit_mmap did not run).</summary>
    internal MmRelease ToRelease() => LastUser
        ? new MmRelease(true, PrivateAnon, OwnFile, OwnShmem, Swap, PageTables, SharedFreed, SharedKept)
        : MmRelease.None;

    /// <summary>No shared object freed.</summary>
    internal static IReadOnlyList<SharedMemory> NoShared => Array.Empty<SharedMemory>();
}
