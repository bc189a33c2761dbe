using System;

namespace OomTools.Engine;

/// <summary>What went wrong, as a stable code the cmdlets turn into a FullyQualifiedErrorId.</summary>
public enum OomError
{
    /// <summary>
    /// A value out of range, or values that contradict each other (a size in both bytes and pages, say).
    /// </summary>
    InvalidArgument,
    /// <summary>A memory size, count or page-table size below zero.</summary>
    NegativeSize,
    /// <summary>A process is added with a pid the machine already has.</summary>
    DuplicatePid,
    /// <summary>No process with that pid or name is on the machine, or a task object is not on it.</summary>
    TaskNotFound,
    /// <summary>No memory cgroup at that path.</summary>
    CgroupNotFound,
    /// <summary>A memory cgroup is created at a path that already has one.</summary>
    CgroupExists,
    /// <summary>No cpuset at that path.</summary>
    CpusetNotFound,
    /// <summary>A cpuset is created at a path that already has one.</summary>
    CpusetExists,
    /// <summary>
    /// The machine or process cannot do it as it stands (a task with no mm, no free pid left, a report with no machine
    /// to replay on).
    /// </summary>
    InvalidState,
    /// <summary>
    /// An OOM notifier (a registered callback on <c>oom_notify_list</c>) failed while out_of_memory called it; the OOM
    /// stops there, before anything is killed.
    /// </summary>
    NotifierFailed,
}

/// <summary>
/// A request the engine refuses (bad input or a state that does not allow it). Raised before anything
/// is changed, so a failed call leaves the machine as it was.
/// </summary>
public sealed class OomEngineException : Exception
{
    /// <summary>A refusal with its code, a message in the kernel's terms, and what it is about.</summary>
    /// <param name="error">The stable code.</param>
    /// <param name="message">What is wrong, in the kernel's terms.</param>
    /// <param name="target">The value or object the error is about, if any.</param>
    public OomEngineException(OomError error, string message, object? target = null) : base(message)
    {
        Error = error;
        Target = target;
    }

    /// <summary>The stable code; the cmdlets use its name as the error id.</summary>
    public OomError Error { get; }
    /// <summary>The value or object the error is about.</summary>
    public object? Target { get; }
}
