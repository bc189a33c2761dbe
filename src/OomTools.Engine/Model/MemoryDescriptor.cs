using System.Runtime.CompilerServices;
using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

/// <summary>
/// An address space, the kernel's <c>mm_struct</c>: the rss counters oom_badness adds up, the page-table
/// bytes, the flags, and how many threads use it (<c>mm_users</c>). Processes created with CLONE_VM share one.
/// </summary>
public sealed class MemoryDescriptor
{
    // Raw page counts, read by select_bad_process for every task. Every write moves ScoreVersion, so the
    // killer's score table (a copy of what the scan reads) is rebuilt after any change; total_vm is not scored.
    // anon and shmem are in the machine's memory in use too (UsageVersion).
    // Each is kept in 32 bits when it fits (bench/: bytes per task); int.MinValue marks one whose full 64-bit value
    // is in the cold side object. Reads return long, so every sum over them stays signed 64-bit as the kernel's.
    private int anonRaw, fileRaw, shmemRaw, swapRaw, pgtablesRaw, totalVmRaw;
    private const int Wide = int.MinValue;
    private const int AnonSlot = 0, FileSlot = 1, ShmemSlot = 2, SwapSlot = 3, PgtablesSlot = 4, TotalVmSlot = 5;
    private long Read(int raw, int slot) => raw != Wide ? raw : cold!.wide![slot];
    private int Store(long value, int slot)
    {
        if (value > int.MinValue && value <= int.MaxValue) return (int)value;
        (Cold.wide ??= new long[6])[slot] = value;
        return Wide;
    }
    internal long anon { get => Read(anonRaw, AnonSlot); set { anonRaw = Store(value, AnonSlot); ScoreVersion.Bump(); UsageVersion.Bump(); } }
    internal long file { get => Read(fileRaw, FileSlot); set { fileRaw = Store(value, FileSlot); ScoreVersion.Bump(); } }
    internal long shmem { get => Read(shmemRaw, ShmemSlot); set { shmemRaw = Store(value, ShmemSlot); ScoreVersion.Bump(); UsageVersion.Bump(); } }
    internal long swapEnts { get => Read(swapRaw, SwapSlot); set { swapRaw = Store(value, SwapSlot); ScoreVersion.Bump(); } }
    internal long pgtablesBytes { get => Read(pgtablesRaw, PgtablesSlot); set { pgtablesRaw = Store(value, PgtablesSlot); ScoreVersion.Bump(); } }
    internal long totalVm { get => Read(totalVmRaw, TotalVmSlot); set => totalVmRaw = Store(value, TotalVmSlot); }

    // The rarely set fields (mmap_lock, notifier, mappings, smaps, shared objects, wide counters): none until one is
    // set. They live in a table beside the mm, not in a field of it: the field would cost 8 bytes on every mm
    // (bench/: bytes per task); the low bit of meta says whether the table has this mm's, so an mm without
    // them never looks.
    private static readonly ConditionalWeakTable<MemoryDescriptor, MemoryDescriptorCold> Colds = new();
    private MemoryDescriptorCold? cold => (meta & ColdBit) != 0 && Colds.TryGetValue(this, out var c) ? c : null;
    private MemoryDescriptorCold Cold
    {
        get
        {
            if (cold is { } c) return c;
            c = Colds.GetValue(this, _ => new MemoryDescriptorCold());
            meta |= ColdBit;
            return c;
        }
    }

    // The flags, the owner, mm_users and the process count in 64 bits instead of 128 (bench/: bytes per task; the mm
    // is 48 bytes with them so, 56 with one more int). meta: bit 0 the cold bit above, bits 1-4 the four MMF_ bits
    // the OOM killer uses, bit 5 "flags outside those four" (all of them then in the cold side object), bits 6-31 the
    // owner's pid. counts: mm_users in the low 16 bits, the process count in the high 16. A field's all-ones value
    // means its value did not fit (a pid of 2^26 or more, a negative count, 65,535 threads or more): it is then in
    // the cold side object, so every value an int holds still reads back as written.
    private int meta, counts;
    private const int ColdBit = 1, FlagsShift = 1, FlagsMask = 0xF << FlagsShift, WideFlagsBit = 1 << 5;
    private const int OwnerShift = 6, OwnerWide = (1 << 26) - 1;
    private const int CountWide = 0xFFFF;
    private const MmFlags PackedFlags = MmFlags.OomSkip | MmFlags.Unstable | MmFlags.OomReapQueued | MmFlags.MultiProcess;

    // OomSkip and Unstable are bits 21-22, OomReapQueued and MultiProcess 25-26: codes 1, 2, 4, 8.
    private static int FlagsCode(MmFlags f) => (((int)f >> 21) & 3) | (((int)f >> 23) & 0xC);
    private static MmFlags FlagsOf(int code) => (MmFlags)(((code & 3) << 21) | ((code & 0xC) << 23));

    private static int Narrow(long value, int wide) => value >= 0 && value < wide ? (int)value : wide;

    /// <summary><c>MM_ANONPAGES</c>.</summary>
    public Pages AnonPages { get => new(anon); set => anon = value.Value; }
    /// <summary><c>MM_FILEPAGES</c>.</summary>
    public Pages FilePages { get => new(file); set => file = value.Value; }
    /// <summary><c>MM_SHMEMPAGES</c>.</summary>
    public Pages ShmemPages { get => new(shmem); set => shmem = value.Value; }
    /// <summary><c>MM_SWAPENTS</c>.</summary>
    public Pages SwapEntries { get => new(swapEnts); set => swapEnts = value.Value; }
    /// <summary><c>mm_pgtables_bytes(mm)</c>, in bytes as the kernel keeps it.</summary>
    public long PageTableBytes { get => pgtablesBytes; set => pgtablesBytes = value; }
    /// <summary><c>mm-&gt;total_vm</c>, in pages.</summary>
    public Pages TotalVm { get => new(totalVm); set => totalVm = value.Value; }

    /// <summary><c>get_mm_rss()</c>: file + anon + shmem pages.</summary>
    public Pages Rss => new(file + anon + shmem);

    /// <summary><c>mm-&gt;flags</c>: the MMF_ bits the OOM killer reads and sets.</summary>
    public MmFlags Flags { get => flags; set { flags = value; ScoreVersion.Bump(); } }
    private MmFlags flags
    {
        get => (meta & WideFlagsBit) != 0 ? cold!.flags : FlagsOf((meta & FlagsMask) >> FlagsShift);
        set
        {
            bool fits = (value & ~PackedFlags) == 0;
            if (!fits) Cold.flags = value;
            meta = (meta & ~(FlagsMask | WideFlagsBit)) | (fits ? FlagsCode(value) << FlagsShift : WideFlagsBit);
        }
    }

    /// <summary><c>mm_users</c>: threads (of every process sharing it) that have this mm attached.</summary>
    public int Users { get => users; internal set { users = value; UsageVersion.Bump(); } }
    private int users
    {
        get => (counts & CountWide) == CountWide ? cold!.users : counts & CountWide;
        set
        {
            int raw = Narrow(value, CountWide);
            if (raw == CountWide) Cold.users = value;
            counts = (counts & ~CountWide) | raw;
        }
    }

    // How many tasks have this as their mm (task-&gt;mm), on the task list or not: 1 tells an exit that no other
    // task's share of the memory in use depends on this mm (OomTask.Mm keeps it).
    internal int processes
    {
        get => (int)((uint)counts >> 16) == CountWide ? cold!.processes : (int)((uint)counts >> 16);
        set
        {
            int raw = Narrow(value, CountWide);
            if (raw == CountWide) Cold.processes = value;
            counts = (counts & CountWide) | (raw << 16);
        }
    }

    /// <summary><c>mm-&gt;owner</c>: the pid of the process that created it (handed on when that one exits).</summary>
    public int OwnerPid
    {
        get => (int)((uint)meta >> OwnerShift) == OwnerWide ? cold!.ownerPid : (int)((uint)meta >> OwnerShift);
        internal set
        {
            int raw = Narrow(value, OwnerWide);
            if (raw == OwnerWide) Cold.ownerPid = value;
            meta = (meta & ((1 << OwnerShift) - 1)) | (raw << OwnerShift);
        }
    }

    /// <summary>A writer holds <c>mmap_lock</c> (the reaper's trylock and process_mrelease's wait fail).</summary>
    public bool MmapLockHeldForWrite { get => cold?.mmapLockHeldForWrite ?? false; set { if (cold is not null || value) Cold.mmapLockHeldForWrite = value; } }

    /// <summary>A writer holds <c>mmap_lock</c> until this jiffy (a task stuck in uninterruptible sleep).</summary>
    public Jiffies? MmapLockRelease
    {
        get => cold is null || cold.mmapLockReleaseAt == long.MinValue ? null : new Jiffies(cold.mmapLockReleaseAt);
        set { if (cold is not null || value.HasValue) Cold.mmapLockReleaseAt = value?.Value ?? long.MinValue; }
    }

    /// <summary><see cref="MmapLockRelease"/> as a bare count of jiffies (what PowerShell reads).</summary>
    public long? MmapLockReleaseAt { get => MmapLockRelease?.Value; set => MmapLockRelease = value is { } v ? new Jiffies(v) : null; }

    /// <summary>Whether a writer holds mmap_lock at <paramref name="now"/>.</summary>
    public bool IsMmapLockHeld(Jiffies now) => MmapLockHeldForWrite || (MmapLockRelease is { } t && now < t);

    /// <summary>The mappings, when modelled; empty means the counters alone describe the mm.</summary>
    public System.Collections.Generic.List<Vma> Vmas => Cold.vmas ??= new();
    // Allocated on first use: most mms are modelled by their counters alone, and a million empty lists cost 32 MB.
    internal System.Collections.Generic.List<Vma>? vmas => cold?.vmas;

    /// <summary>
    /// What <c>/proc/PID/smaps_rollup</c> said of this mm when a host snapshot read it (private, shared and
    /// proportional pages, swap); null when it was not read. Not used in scoring.
    /// </summary>
    public SmapsRollup? SmapsRollup { get => cold?.smapsRollup; set { if (cold is not null || value is not null) Cold.smapsRollup = value; } }

    /// <summary>
    /// The shared mappings of shmem pages a host snapshot found in <c>/proc/PID/smaps</c> (tmpfs files linked or
    /// unlinked, memfd, System V, shared anonymous); null when they were not read. Not used in scoring.
    /// </summary>
    public System.Collections.Generic.List<ShmemMapping>? ShmemMappings
    {
        get => cold?.shmemMappings;
        set { if (cold is not null || value is not null) Cold.shmemMappings = value; }
    }

    /// <summary>An MMU notifier that cannot run non-blocking covers the anonymous mappings, so reaping is partial.</summary>
    public bool MmuNotifierBlocks { get => cold?.mmuNotifierBlocks ?? false; set { if (cold is not null || value) Cold.mmuNotifierBlocks = value; } }

    /// <summary>
    /// The shared objects this mm maps (copy-on-write pools, shared anon regions, shmem files): pages its counters
    /// count but that it does not own alone. Empty for an mm whose pages are all its own.
    /// </summary>
    public System.Collections.Generic.IReadOnlyList<SharedMemory> Shared =>
        (System.Collections.Generic.IReadOnlyList<SharedMemory>?)shared ?? System.Array.Empty<SharedMemory>();
    // Null until the mm maps a shared object (most never do).
    internal System.Collections.Generic.List<SharedMemory>? shared { get => cold?.shared; set { if (cold is not null || value is not null) Cold.shared = value; } }
    // Pages of MM_ANONPAGES and MM_SHMEMPAGES that belong to the shared objects above.
    internal long sharedAnon { get => cold?.sharedAnon ?? 0; set { if (cold is not null || value != 0) Cold.sharedAnon = value; UsageVersion.Bump(); } }
    internal long sharedShmem { get => cold?.sharedShmem ?? 0; set { if (cold is not null || value != 0) Cold.sharedShmem = value; UsageVersion.Bump(); } }

    /// <summary>Pages of <see cref="AnonPages"/> in copy-on-write pools it shares with other mms.</summary>
    public Pages SharedAnonPages => new(sharedAnon);
    /// <summary>Pages of <see cref="ShmemPages"/> in shared anon regions and shmem files it maps.</summary>
    public Pages SharedShmemPages => new(sharedShmem);
    /// <summary>Anonymous pages only this mm maps: what its exit (or the oom_reaper) frees for certain.</summary>
    public Pages PrivateAnonPages => new(System.Math.Max(0, anon - sharedAnon));
    /// <summary>Pages of <see cref="Rss"/> that belong to this mm alone (rss less what it maps of shared objects).</summary>
    public Pages OwnRss => new(System.Math.Max(0, file + anon + shmem - sharedAnon - sharedShmem));

    /// <summary><c>test_bit(MMF_..., &amp;mm-&gt;flags)</c>: every bit of <paramref name="f"/> is set.</summary>
    public bool Has(MmFlags f) => (Flags & f) == f;

    internal MemoryDescriptor Clone()
    {
        var copy = (MemoryDescriptor)MemberwiseClone();
        copy.meta &= ~ColdBit;            // no cold fields yet
        copy.counts &= CountWide;         // processes is counted again as the copies of its tasks take it
        // The cold fields without the shared objects: the machine's Clone maps them and their mappers again.
        if (cold is { } c)
        {
            Colds.Add(copy, c.Copy());
            copy.meta |= ColdBit;
        }
        UsageVersion.Bump();
        return copy;
    }
}
