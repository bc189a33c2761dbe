namespace OomTools.Engine.Model;

/// <summary>
/// Where a task of a host snapshot came from: the boot of the host it was read on
/// (<c>/proc/sys/kernel/random/boot_id</c>) and the process's start time (<c>/proc/PID/stat</c> field 22,
/// <c>starttime</c> in clock ticks since boot). A pid is only the same process while both match: pids are reused
/// after an exit, and a reboot starts every count again. Set-OomScoreAdj -Live checks both before it writes.
/// </summary>
public sealed class HostOrigin
{
    /// <summary>Records a process of the boot <paramref name="bootId"/> that started at <paramref name="startTime"/> ticks.</summary>
    public HostOrigin(string bootId, long startTime)
    {
        BootId = bootId;
        StartTime = startTime;
    }

    /// <summary>The host's boot id when the process was read.</summary>
    public string BootId { get; }

    /// <summary><c>task-&gt;start_boottime</c> as <c>/proc/PID/stat</c> prints it: clock ticks since boot.</summary>
    public long StartTime { get; }

    /// <summary>The boot id and start time.</summary>
    public override string ToString() => $"boot {BootId}, start {StartTime}";
}
