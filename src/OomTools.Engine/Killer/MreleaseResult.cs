using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Killer;

/// <summary>process_mrelease's answer: the errno (0 on success) and the pages its reaping freed.</summary>
public sealed class MreleaseResult
{
    internal MreleaseResult(int pid, Errno errno, Pages freed, string reason, OomTask? task)
    {
        Pid = pid;
        Errno = errno;
        PagesFreed = freed;
        Reason = reason;
        Task = task;
    }

    /// <summary>The process named by the call (the syscall takes a pidfd; the model names the process by its pid).</summary>
    public int Pid { get; }
    /// <summary>What the call failed with, <see cref="Model.Errno.Success"/> when it returned 0: EINVAL for non-zero flags or a process that is not dying, ESRCH for no process or no mm left, EINTR while a writer holds <c>mmap_lock</c>, EAGAIN when an MMU notifier left part of the mm.</summary>
    public Errno Errno { get; }
    /// <summary>The syscall's return value: 0 or the negative errno.</summary>
    public int ReturnValue => -(int)Errno;
    /// <summary>
    /// Pages the reaping freed: anonymous, private file and swap pages only this mm mapped, and copy-on-write pools
    /// whose last mapping it was (pages another process still maps are unmapped but not freed); zero when nothing was
    /// reaped.
    /// </summary>
    public Pages PagesFreed { get; }
    /// <summary>Why the call answered as it did, in words ("reaped", "no such process", …).</summary>
    public string Reason { get; }
    /// <summary>The process the pid named; null when there was none (ESRCH) or the flags were refused before the lookup.</summary>
    public OomTask? Task { get; }

    /// <summary>The call and its answer: <c>process_mrelease(PID) = RET ERRNO: reason</c>.</summary>
    public override string ToString() => $"process_mrelease({Pid}) = {ReturnValue} {Errno}: {Reason}";
}
