using System.Collections.Generic;
using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

/// <summary>What kind of pages a <see cref="SharedMemory"/> object holds, which decides who frees them and when.</summary>
public enum SharedMemoryKind
{
    /// <summary>
    /// Anonymous pages still shared copy-on-write after <c>fork()</c> (one <c>anon_vma</c> tree): counted in
    /// <c>MM_ANONPAGES</c> of every mm mapping them, in private mappings the oom_reaper unmaps; a page is freed when
    /// its last mapping goes (its mapcount drops to zero).
    /// </summary>
    CowAnon,
    /// <summary>
    /// <c>MAP_SHARED|MAP_ANONYMOUS</c> memory (an unlinked shmem inode, <c>shmem_zero_setup</c>), inherited across
    /// fork: counted in <c>MM_SHMEMPAGES</c>, VM_SHARED so the oom_reaper leaves it; freed with its last mapping.
    /// </summary>
    SharedAnon,
    /// <summary>
    /// A tmpfs or <c>/dev/shm</c> file mapped MAP_SHARED: counted in <c>MM_SHMEMPAGES</c>, left by the oom_reaper.
    /// While the file is linked its pages live in the page cache with no mapping at all; once unlinked they go
    /// with its last mapping (<see cref="SharedMemory.Linked"/>).
    /// </summary>
    Shmem,
}

/// <summary>
/// Pages that belong to no single mm: a pool of <see cref="Pages"/> resident pages, each charged once, to one memory
/// cgroup (<see cref="Memcg"/>: the cgroup of the task that touched them first, <c>folio_memcg()</c>), and the set of
/// mms that map all of them (<see cref="Mappers"/>: the page's rmap). Each mapper's rss counter
/// (<c>MM_ANONPAGES</c> for <see cref="SharedMemoryKind.CowAnon"/>, <c>MM_SHMEMPAGES</c> otherwise) still counts the
/// pages, so <c>get_mm_rss()</c> and <c>oom_badness</c> see them in every mapper; but an exit, the oom_reaper or
/// process_mrelease frees them, and uncharges them from <see cref="Memcg"/>, only when no survivor maps them (and,
/// for a linked tmpfs file, not at all: the file keeps them).
/// <para>
/// The model keeps one size for the pool: every mapper maps all of its pages. Pages shared by only some of the
/// mappers, or a file mapped in part, are a pool of their own.
/// </para>
/// </summary>
public sealed class SharedMemory
{
    internal readonly List<MemoryDescriptor> mappers = new();

    internal SharedMemory(string name, SharedMemoryKind kind, Pages pages, MemoryCgroup memcg, bool linked)
    {
        Name = name;
        Kind = kind;
        Pages = pages;
        Memcg = memcg;
        Linked = kind == SharedMemoryKind.Shmem && linked;
    }

    /// <summary>The object's name on its machine: a shm file's path, a region's name, or <c>cow:PID</c> for pages a fork shares.</summary>
    public string Name { get; }
    /// <summary>Copy-on-write anon, shared anon or a shmem file.</summary>
    public SharedMemoryKind Kind { get; }
    /// <summary>Resident pages of the object, each counted once (what freeing it gives back).</summary>
    public Pages Pages { get => pages; internal set { pages = value; UsageVersion.Bump(); } }
    private Pages pages;
    /// <summary><see cref="Pages"/> as a number of pages (what PowerShell reads).</summary>
    public long PageCount => Pages.Value;
    /// <summary>The memory cgroup its pages are charged to, and uncharged from when they are freed.</summary>
    public MemoryCgroup Memcg { get; internal set; }
    /// <summary>A shmem file still has a name in tmpfs: its pages outlive every mapping. False for the other kinds.</summary>
    public bool Linked { get; internal set; }
    /// <summary>The address spaces mapping it, in the order they came.</summary>
    public IReadOnlyList<MemoryDescriptor> Mappers => mappers;
    /// <summary>The pids owning the mms that map it (<c>mm-&gt;owner</c>), for display.</summary>
    public IReadOnlyList<int> MapperPids => mappers.ConvertAll(mm => mm.OwnerPid);

    /// <summary>Its pages are counted in <c>MM_ANONPAGES</c> (copy-on-write anon); otherwise in <c>MM_SHMEMPAGES</c>.</summary>
    public bool IsAnon => Kind == SharedMemoryKind.CowAnon;

    /// <summary>
    /// The oom_reaper unmaps it: a copy-on-write page sits in a private anonymous mapping. Shared anon and shmem are
    /// VM_SHARED file mappings, which <c>__oom_reap_task_mm</c> leaves for exit.
    /// </summary>
    public bool Reapable => Kind == SharedMemoryKind.CowAnon;

    /// <summary>Whether its pages are still held: something maps them, or a linked file keeps them.</summary>
    public bool IsHeld => mappers.Count > 0 || Linked;

    /// <summary><c>NAME (Kind, N pages, M mappers)</c>.</summary>
    public override string ToString() => $"{Name} ({Kind}{(Linked ? ", linked" : "")}, {Pages} pages, {mappers.Count} mappers)";
}
