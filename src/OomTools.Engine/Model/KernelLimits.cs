namespace OomTools.Engine.Model;

/// <summary>
/// The largest values a 64-bit Linux kernel can hold, which the model refuses to go past so that no sum or score
/// it computes wraps: a pid, a memory size, a virtual size.
/// </summary>
public static class KernelLimits
{
    /// <summary>
    /// <c>PID_MAX_LIMIT</c> on a 64-bit kernel (4 * 1024 * 1024, include/linux/threads.h): no pid or thread id is
    /// above it, whatever kernel.pid_max says.
    /// </summary>
    public const int PidMaxLimit = 4 * 1024 * 1024;

    /// <summary>
    /// The most memory a machine can have, in bytes: 2^52 (4 PiB), <c>MAX_PHYSMEM_BITS</c> of x86-64 with 5-level
    /// paging and of arm64 with 52-bit physical addresses, the widest Linux runs on. RAM, swap and every page
    /// counter of a task (rss, swap entries, page tables) stay within it: a task cannot have more resident pages
    /// than exist, nor more swap entries than a swap area of that size, and a machine with more is not one a kernel
    /// can run. Kept this low, a task's oom_badness (five such terms and the adj term) and the sum over every pid
    /// below <see cref="PidMaxLimit"/> of such counters stay far inside a long (2^22 tasks * 2^52 bytes = 2^74
    /// bytes would not, so memory totals also add with a check).
    /// </summary>
    public const long MaxMemoryBytes = 1L << 52;

    /// <summary>
    /// The largest virtual size of a process, in bytes: 2^56, the user address space of x86-64 5-level paging
    /// (TASK_SIZE of LA57, the largest of any architecture).
    /// </summary>
    public const long MaxVirtualBytes = 1L << 56;

    /// <summary><see cref="MaxMemoryBytes"/> in pages of <paramref name="pageSize"/> bytes.</summary>
    public static long MaxPages(int pageSize) => MaxMemoryBytes / pageSize;

    /// <summary><see cref="MaxVirtualBytes"/> in pages of <paramref name="pageSize"/> bytes.</summary>
    public static long MaxVirtualPages(int pageSize) => MaxVirtualBytes / pageSize;
}
