namespace OomTools.Engine.Charts;

/// <summary>One value of the memory-over-time line: the memory in use right after an event, held until the next.</summary>
public readonly struct TimelineChartPoint
{
    internal TimelineChartPoint(double seconds, long memoryInUsePages)
    {
        Seconds = seconds;
        MemoryInUsePages = memoryInUsePages;
    }

    /// <summary>Time since boot in seconds.</summary>
    public double Seconds { get; }
    /// <summary>Pages in use from then on.</summary>
    public long MemoryInUsePages { get; }
}
