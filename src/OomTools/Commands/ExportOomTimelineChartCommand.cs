using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using OomTools.Engine;
using OomTools.Engine.Time;
using OomTools.Engine.Timeline;
using OomTools.Engine.Writers;

namespace OomTools.Commands;

/// <summary>
/// Export-OomTimelineChart: the memory-over-time chart of timeline events (Step-OomTime, Invoke-OomAllocation,
/// OomOutcome.ToTimelineEvent()) as a static SVG document — every OOM kill marked and labelled, aborted OOMs and
/// the oom_reaper's results marked. All piped events make one chart. Written to a file under ShouldProcess, or
/// returned as a string when no path is given.
/// </summary>
[Cmdlet(VerbsData.Export, "OomTimelineChart", DefaultParameterSetName = OomExportCmdlet.TextSet, SupportsShouldProcess = true)]
[OutputType(typeof(string), ParameterSetName = new[] { OomExportCmdlet.TextSet })]
[OutputType(typeof(FileInfo), ParameterSetName = new[] { OomExportCmdlet.PathSet, OomExportCmdlet.LiteralPathSet })]
public sealed class ExportOomTimelineChartCommand : OomExportCmdlet
{
    private readonly List<TimelineEvent> events = new();

    /// <summary>The events to chart; piped events are collected and drawn as one chart. Nulls are skipped.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [AllowNull]
    [AllowEmptyCollection]
    public TimelineEvent[] InputObject { get; set; } = null!;

    /// <summary>The chart's heading.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string Title { get; set; } = "Memory in use over time";

    /// <summary>A dashed line at this many pages (the machine's RAM, a cgroup's limit); none when 0.</summary>
    [Parameter]
    [ValidateRange(0, long.MaxValue)]
    public long LimitPages { get; set; }

    /// <summary>The chart's width in pixels, 200 to 10000 (default 900).</summary>
    [Parameter]
    [ValidateRange(200, 10000)]
    public int Width { get; set; } = 900;

    /// <summary>The chart's height in pixels, 150 to 10000 (default 420).</summary>
    [Parameter]
    [ValidateRange(150, 10000)]
    public int Height { get; set; } = 420;

    /// <summary>Collects the piped events; the chart is drawn once all have arrived.</summary>
    protected override void ProcessRecord()
    {
        if (InputObject is null) return;
        foreach (var e in InputObject) if (e is not null) events.Add(e);
    }

    /// <summary>Draws every collected event in one SVG chart and writes it to the pipeline or the file.</summary>
    protected override void EndProcessing()
    {
        // Render first: bad input is reported with -WhatIf too.
        string svg;
        try
        {
            svg = TimelineSvg.Render(events, new TimelineSvgOptions
            {
                Title = Title,
                LimitPages = LimitPages,
                Width = Width,
                Height = Height,
            });
        }
        catch (Exception ex) when (ex is OomEngineException or ArgumentException)
        {
            WriteError(ToErrorRecord(ex));
            return;
        }
        if (ToPipeline)
        {
            WriteObject(svg);
            return;
        }

        var full = ResolveTarget();
        if (full is null) return;
        if (!ShouldProcess(full, $"Write the memory-over-time chart of {events.Count} timeline event{(events.Count == 1 ? "" : "s")} (SVG)")) return;
        WriteFile(full, svg);
    }
}
