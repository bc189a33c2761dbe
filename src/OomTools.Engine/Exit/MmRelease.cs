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
    internal static readonly MmRelease None = new(default);

    // The values exit_mmap worked out; the sums below are theirs (ExitMmapResult), so a kill order that reads only the
    // pages released adds them up the same way without making this object.
    private readonly ExitMmapResult values;

    internal MmRelease(in ExitMmapResult values) => this.values = values;

    /// <summary>The exit dropped the mm's last user, so exit_mmap ran; false when other processes (CLONE_VM) still use it.</summary>
    public bool LastUser => values.LastUser;
    /// <summary>Anonymous pages only this mm mapped: freed, and uncharged from the owner's cgroup.</summary>
    public Pages PrivateAnon => new(values.PrivateAnon);
    /// <summary>File pages of the mm (unmapped; the page cache may keep them).</summary>
    public Pages OwnFile => new(values.OwnFile);
    /// <summary>Shmem pages of the mm that belong to no modelled shared object.</summary>
    public Pages OwnShmem => new(values.OwnShmem);
    /// <summary>Swap entries freed.</summary>
    public Pages Swap => new(values.Swap);
    /// <summary>Page tables freed, in pages.</summary>
    public Pages PageTables => new(values.PageTables);
    /// <summary>Shared objects whose last mapping this was: their pages were freed and uncharged from their cgroups.</summary>
    public IReadOnlyList<SharedMemory> SharedFreed => values.SharedFreed;
    /// <summary>Pages of <see cref="SharedFreed"/>, each once.</summary>
    public Pages SharedFreedPages => new(values.SharedFreedPages);
    /// <summary>Shared pages the mm mapped that stay: a survivor maps them, or a linked tmpfs file keeps them.</summary>
    public Pages SharedKept => new(values.SharedKept);

    /// <summary>
    /// Memory the machine has back: private anonymous pages, swap entries and the shared objects freed — what
    /// the exit of a killed process makes allocatable (file pages stay in the page cache).
    /// </summary>
    public Pages Freed => new(values.Freed);

    /// <summary>
    /// Everything the mm held that went with it: <see cref="Freed"/> plus its own file and shmem pages and its page
    /// tables (what a kill order counts as released).
    /// </summary>
    public Pages Released => new(values.Released);

    /// <summary><c>freed N pages (shared kept K)</c>.</summary>
    public override string ToString() => LastUser ? $"freed {Freed} pages (shared kept {SharedKept})" : "mm still in use";
}
