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
    public Vma(VmaKind kind, long residentPages, long swapPages = 0, bool notifierBlocks = false)
    {
        Kind = kind;
        ResidentPages = residentPages;
        SwapPages = swapPages;
        NotifierBlocks = notifierBlocks;
    }

    public VmaKind Kind { get; }
    public long ResidentPages { get; internal set; }
    public long SwapPages { get; internal set; }
    public bool NotifierBlocks { get; set; }

    /// <summary>The reaper unmaps anonymous and private mappings, never hugetlb or pfnmap ones.</summary>
    public bool Reapable => Kind is VmaKind.Anonymous or VmaKind.PrivateFile;

    internal Vma Clone() => (Vma)MemberwiseClone();

    public override string ToString() => $"{Kind} {ResidentPages} pages{(SwapPages > 0 ? $" + {SwapPages} swapped" : "")}";
}
