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

    public int Pid { get; }
    public Errno Errno { get; }
    /// <summary>The syscall's return value: 0 or the negative errno.</summary>
    public int ReturnValue => -(int)Errno;
    public Pages PagesFreed { get; }
    public string Reason { get; }
    public OomTask? Task { get; }

    public override string ToString() => $"process_mrelease({Pid}) = {ReturnValue} {Errno}: {Reason}";
}
