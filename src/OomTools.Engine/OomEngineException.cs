using System;

namespace OomTools.Engine;

/// <summary>What went wrong, as a stable code the cmdlets turn into a FullyQualifiedErrorId.</summary>
public enum OomError
{
    InvalidArgument,
    NegativeSize,
    DuplicatePid,
    TaskNotFound,
    CgroupNotFound,
    CgroupExists,
    CpusetNotFound,
    CpusetExists,
    InvalidState,
}

/// <summary>
/// A request the engine refuses (bad input or a state that does not allow it). Raised before anything
/// is changed, so a failed call leaves the machine as it was.
/// </summary>
public sealed class OomEngineException : Exception
{
    public OomEngineException(OomError error, string message, object? target = null) : base(message)
    {
        Error = error;
        Target = target;
    }

    public OomError Error { get; }
    /// <summary>The value or object the error is about.</summary>
    public object? Target { get; }
}
