namespace OomTools.Engine.Charts;

/// <summary>What a memory-over-time chart shows.</summary>
public class TimelineChartOptions
{
    /// <summary>The chart's heading.</summary>
    public string Title { get; set; } = "Memory in use over time";
    /// <summary>Bytes per page, to label the axis in MiB; null: the events' own page size.</summary>
    public int? PageSize { get; set; }
    /// <summary>A dashed line at this many pages (the machine's RAM or a cgroup's limit); 0: none.</summary>
    public long LimitPages { get; set; }
}
