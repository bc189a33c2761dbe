using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

/// <summary>What kind of mapping a VMA is, as far as the oom_reaper cares.</summary>
public enum VmaKind
{
    /// <summary>Private anonymous memory (heap, stacks): reaped.</summary>
    Anonymous,
    /// <summary>A private file mapping (its copied-on-write and clean pages): reaped.</summary>
    PrivateFile,
    /// <summary>A shared file mapping: left for exit.</summary>
    SharedFile,
    /// <summary>Shared anonymous memory or tmpfs/shm (VM_SHARED): left for exit.</summary>
    Shmem,
    /// <summary>VM_HUGETLB: never reaped.</summary>
    Hugetlb,
    /// <summary>VM_PFNMAP (device memory): never reaped.</summary>
    Pfnmap,
}

/// <summary>
/// A mapping of an mm, the unit <c>__oom_reap_task_mm</c> walks: its kind, its resident and swapped pages, and
/// whether an MMU notifier on it refuses to run without blocking (then that part cannot be reaped).
/// </summary>
public sealed class Vma
{
    /// <summary>A mapping with <paramref name="resident"/> pages in memory and <paramref name="swap"/> swapped out.</summary>
    public Vma(VmaKind kind, Pages resident, Pages swap = default, bool notifierBlocks = false)
    {
        Kind = kind;
        Resident = resident;
        Swap = swap;
        NotifierBlocks = notifierBlocks;
    }

    /// <summary>The same mapping from raw page counts.</summary>
    public Vma(VmaKind kind, long residentPages, long swapPages = 0, bool notifierBlocks = false)
        : this(kind, new Pages(residentPages), new Pages(swapPages), notifierBlocks)
    {
    }

    /// <summary>What kind of mapping it is (it decides whether the reaper may unmap it).</summary>
    public VmaKind Kind { get; }
    /// <summary>Pages of the mapping in memory (what <c>unmap_page_range</c> frees when the reaper takes it).</summary>
    public Pages Resident { get; internal set; }
    /// <summary>Swap entries of the mapping.</summary>
    public Pages Swap { get; internal set; }
    /// <summary><see cref="Resident"/> as a number of pages.</summary>
    public long ResidentPages { get => Resident.Value; internal set => Resident = new Pages(value); }
    /// <summary><see cref="Swap"/> as a number of pages.</summary>
    public long SwapPages { get => Swap.Value; internal set => Swap = new Pages(value); }
    /// <summary>An MMU notifier on the mapping cannot run without blocking (<c>mmu_notifier_invalidate_range_start_nonblock</c> fails).</summary>
    public bool NotifierBlocks { get; set; }

    /// <summary>The reaper unmaps anonymous and private mappings, never hugetlb or pfnmap ones.</summary>
    public bool Reapable => Kind is VmaKind.Anonymous or VmaKind.PrivateFile;

    internal Vma Clone() => (Vma)MemberwiseClone();

    /// <summary><c>Anonymous 1000 pages + 50 swapped</c>.</summary>
    public override string ToString() => $"{Kind} {Resident} pages{(Swap > Pages.Zero ? $" + {Swap} swapped" : "")}";
}
