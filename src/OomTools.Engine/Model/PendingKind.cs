namespace OomTools.Engine.Model;

/// <summary>What can fall due on a machine's timeline (the names are those of the machine document).</summary>
internal enum PendingKind
{
    /// <summary>A killed process gets to run and exits (unless something holds it).</summary>
    Exit,
    /// <summary>A victim's oom_reaper timer expires (<c>OOM_REAPER_DELAY</c> after queue_oom_reaper).</summary>
    ReaperTimer,
    /// <summary>The oom_reaper thread wakes from its HZ/10 sleep for the next pass of oom_reap_task.</summary>
    ReaperAttempt,
}
