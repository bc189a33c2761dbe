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
    private readonly IReadOnlyList<SharedMemory>? sharedFreed;

    internal ExitMmapResult(long privateAnon, long ownFile, long ownShmem, long swap, long pageTables, IReadOnlyList<SharedMemory> sharedFreed, long sharedKept)
    {
        LastUser = true;
        PrivateAnon = privateAnon;
        OwnFile = ownFile;
        OwnShmem = ownShmem;
        Swap = swap;
        PageTables = pageTables;
        this.sharedFreed = sharedFreed;
        for (int i = 0; i < sharedFreed.Count; i++) SharedFreedPages += sharedFreed[i].Pages.Value;
        SharedKept = sharedKept;
    }

    /// <summary>exit_mmap ran (false, the default, when others still use the mm).</summary>
    internal bool LastUser { get; }
    internal long PrivateAnon { get; }
    internal long OwnFile { get; }
    internal long OwnShmem { get; }
    internal long Swap { get; }
    internal long PageTables { get; }
    internal IReadOnlyList<SharedMemory> SharedFreed => sharedFreed ?? NoShared;
    internal long SharedKept { get; }

    /// <summary><see cref="MmRelease.SharedFreedPages"/>: the pages of the shared objects freed, each once (summed at the exit).</summary>
    internal long SharedFreedPages { get; }

    /// <summary><see cref="MmRelease.Freed"/>: private anonymous pages, swap entries and the shared objects freed.</summary>
    internal long Freed => PrivateAnon + Swap + SharedFreedPages;

    /// <summary><see cref="MmRelease.Released"/>: <see cref="Freed"/> plus the own file and shmem pages and the page tables.</summary>
    internal long Released => Freed + OwnFile + OwnShmem + PageTables;

    /// <summary>The public form (<see cref="MmRelease.None"/> when exit_mmap did not run).</summary>
    internal MmRelease ToRelease() => LastUser ? new MmRelease(this) : MmRelease.None;

    /// <summary>No shared object freed.</summary>
    internal static IReadOnlyList<SharedMemory> NoShared => Array.Empty<SharedMemory>();
}
