using OomTools.Engine.Charts;

namespace OomTools.Engine.Writers;

/// <summary>What a timeline chart shows (<see cref="TimelineChartOptions"/>) and how big its SVG is.</summary>
public sealed class TimelineSvgOptions : TimelineChartOptions
{
    /// <summary>The width in pixels (200 to 10000).</summary>
    public int Width { get; set; } = TimelineSvg.DefaultWidth;
    /// <summary>The height in pixels (150 to 10000).</summary>
    public int Height { get; set; } = TimelineSvg.DefaultHeight;
}
