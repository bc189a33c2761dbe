namespace OomTools.Engine.Charts;

/// <summary>What a marker on the memory-over-time chart stands for.</summary>
public enum TimelineMarkerKind
{
    /// <summary>An OOM killed this process (one marker per process it killed).</summary>
    Kill,
    /// <summary>An OOM aborted: an earlier victim was still exiting.</summary>
    OomAborted,
    /// <summary>The oom_reaper unmapped the victim's memory.</summary>
    Reaped,
    /// <summary>The oom_reaper gave up after MAX_OOM_REAP_RETRIES.</summary>
    UnableToReap,
}

/// <summary>A marked event on the chart: where it sits on the line, and which process it is about.</summary>
public sealed class TimelineMarker
{
    internal TimelineMarker(TimelineMarkerKind kind, double seconds, long memoryInUsePages, int pid, string name)
    {
        Kind = kind;
        Seconds = seconds;
        MemoryInUsePages = memoryInUsePages;
        Pid = pid;
        Name = name;
    }

    /// <summary>What happened.</summary>
    public TimelineMarkerKind Kind { get; }
    /// <summary>When, in seconds since boot.</summary>
    public double Seconds { get; }
    /// <summary>The memory in use right after the event: where the marker sits on the line.</summary>
    public long MemoryInUsePages { get; }
    /// <summary>The process killed or reaped; for an aborted OOM, the task that ran it.</summary>
    public int Pid { get; }
    /// <summary>That process's comm.</summary>
    public string Name { get; }
}
