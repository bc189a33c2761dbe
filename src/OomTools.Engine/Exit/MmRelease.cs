using System.Collections.Generic;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Exit;

/// <summary>
/// What <c>exit_mmap()</c> gave back when a process's exit dropped the last user of its mm: the pages that were the
/// mm's own, and the shared objects (<see cref="SharedMemory"/>) whose last mapping it was. Pages it mapped that a
/// survivor still maps, or that a linked tmpfs file keeps, are <see cref="SharedKept"/>: not freed, not uncharged.
/// </summary>
public sealed class MmRelease
{
    internal static readonly MmRelease None = new(false, 0, 0, 0, 0, 0, System.Array.Empty<SharedMemory>(), 0);

    internal MmRelease(bool lastUser, long privateAnon, long ownFile, long ownShmem, long swap, long pageTables, IReadOnlyList<SharedMemory> sharedFreed, long sharedKept)
    {
        LastUser = lastUser;
        PrivateAnon = new Pages(privateAnon);
        OwnFile = new Pages(ownFile);
        OwnShmem = new Pages(ownShmem);
        Swap = new Pages(swap);
        PageTables = new Pages(pageTables);
        SharedFreed = sharedFreed;
        long freed = 0;
        for (int i = 0; i < sharedFreed.Count; i++) freed += sharedFreed[i].Pages.Value;
        SharedFreedPages = new Pages(freed);
        SharedKept = new Pages(sharedKept);
    }

    /// <summary>The exit dropped the mm's last user, so exit_mmap ran; false when other processes (CLONE_VM) still use it.</summary>
    public bool LastUser { get; }
    /// <summary>Anonymous pages only this mm mapped: freed, and uncharged from the owner's cgroup.</summary>
    public Pages PrivateAnon { get; }
    /// <summary>File pages of the mm (unmapped; the page cache may keep them).</summary>
    public Pages OwnFile { get; }
    /// <summary>Shmem pages of the mm that belong to no modelled shared object.</summary>
    public Pages OwnShmem { get; }
    /// <summary>Swap entries freed.</summary>
    public Pages Swap { get; }
    /// <summary>Page tables freed, in pages.</summary>
    public Pages PageTables { get; }
    /// <summary>Shared objects whose last mapping this was: their pages were freed and uncharged from their cgroups.</summary>
    public IReadOnlyList<SharedMemory> SharedFreed { get; }
    /// <summary>Pages of <see cref="SharedFreed"/>, each once.</summary>
    public Pages SharedFreedPages { get; }
    /// <summary>Shared pages the mm mapped that stay: a survivor maps them, or a linked tmpfs file keeps them.</summary>
    public Pages SharedKept { get; }

    /// <summary>
    /// Memory the machine has back: private anonymous pages, swap entries and the shared objects freed — what
    /// the exit of a killed process makes allocatable (file pages stay in the page cache).
    /// </summary>
    public Pages Freed => PrivateAnon + Swap + SharedFreedPages;

    /// <summary>
    /// Everything the mm held that went with it: <see cref="Freed"/> plus its own file and shmem pages and its page
    /// tables (what a kill order counts as released).
    /// </summary>
    public Pages Released => Freed + OwnFile + OwnShmem + PageTables;

    /// <summary><c>freed N pages (shared kept K)</c>.</summary>
    public override string ToString() => LastUser ? $"freed {Freed} pages (shared kept {SharedKept})" : "mm still in use";
}
