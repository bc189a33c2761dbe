using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

/// <summary>
/// What <c>/proc/PID/smaps_rollup</c> (fs/proc/task_mmu.c <c>show_smaps_rollup</c>) said of an mm when a host was
/// read: its pages split by how many mms map them. Read and stored only: the OOM killer scores the rss counters
/// (<see cref="MemoryDescriptor.Rss"/>), never these. "Shared" and "private" are the kernel's per-page mapcount test
/// (a page mapped once is private, even a shmem or page-cache page); <c>Pss</c> divides each page by its mapcount. A
/// page copy-on-write shared after fork is "shared" in both processes and belongs to neither alone.
/// </summary>
public sealed class SmapsRollup
{
    /// <summary><c>Rss</c>: resident pages mapped (anon, file and shmem).</summary>
    public Pages Rss { get; set; }
    /// <summary><c>Pss</c>: each resident page divided by the number of mms that map it.</summary>
    public Pages Pss { get; set; }
    /// <summary><c>Pss_Anon</c>: the anonymous part of <see cref="Pss"/> (absent before 5.8: zero).</summary>
    public Pages PssAnon { get; set; }
    /// <summary><c>Pss_File</c>: the page-cache part of <see cref="Pss"/>.</summary>
    public Pages PssFile { get; set; }
    /// <summary><c>Pss_Shmem</c>: the shmem/tmpfs part of <see cref="Pss"/>.</summary>
    public Pages PssShmem { get; set; }
    /// <summary><c>Shared_Clean</c> + <c>Shared_Dirty</c>: resident pages some other mm maps too.</summary>
    public Pages SharedPages { get; set; }
    /// <summary><c>Private_Clean</c> + <c>Private_Dirty</c>: resident pages only this mm maps.</summary>
    public Pages PrivatePages { get; set; }
    /// <summary><c>Anonymous</c>: resident anonymous pages (including copy-on-write shared ones).</summary>
    public Pages Anonymous { get; set; }
    /// <summary><c>Swap</c>: swapped-out anonymous and shmem pages of the mappings.</summary>
    public Pages Swap { get; set; }
    /// <summary><c>SwapPss</c>: <see cref="Swap"/> divided by each swap entry's sharers.</summary>
    public Pages SwapPss { get; set; }

    /// <summary><c>Rss PAGES, Pss PAGES, private PAGES, shared PAGES, swap PAGES</c>.</summary>
    public override string ToString() => $"Rss {Rss.Value}, Pss {Pss.Value}, private {PrivatePages.Value}, shared {SharedPages.Value}, swap {Swap.Value}";
}
