using System.Collections.Generic;
using OomTools.Engine.Model;

namespace OomTools.Engine.Timeline;

/// <summary>
/// What one call that runs time collects, passed down to what it runs: the timeline events in order and the
/// victims the oom_reaper finished with.
/// </summary>
internal sealed class TimelineRun
{
    public List<TimelineEvent> Events { get; } = new();
    public List<OomTask> ReaperFinished { get; } = new();
}
