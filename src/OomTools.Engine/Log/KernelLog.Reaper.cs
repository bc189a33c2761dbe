namespace OomTools.Engine.Log;

public sealed partial class KernelLog
{
    private static readonly KernelLogFormat ReapedFormat = KernelLogFormat.Of(
        "oom_reaper: reaped process {n0} ({s0}), now anon-rss:{n1}kB, file-rss:{n2}kB, shmem-rss:{n3}kB");
    private static readonly KernelLogFormat UnableToReapFormat = KernelLogFormat.Of("oom_reaper: unable to reap pid:{n0} ({s0})");

    /// <summary>
    /// <c>oom_reap_task_mm()</c>'s <c>"oom_reaper: reaped process %d (%s), now anon-rss:%lukB, file-rss:%lukB,
    /// shmem-rss:%lukB"</c> (<see cref="KernelLogLevel.Info"/>), with what the mm holds after the reap.
    /// </summary>
    public void OomReaperReaped(int pid, string comm, long anonRssKb, long fileRssKb, long shmemRssKb) =>
        Write(KernelLogLevel.Info, ReapedFormat, new KernelLogArgs(comm, null, pid, anonRssKb, fileRssKb, shmemRssKb));

    /// <summary>
    /// <c>oom_reap_task()</c>'s <c>"oom_reaper: unable to reap pid:%d (%s)"</c> (<see cref="KernelLogLevel.Info"/>),
    /// after the last retry failed.
    /// </summary>
    public void OomReaperUnableToReap(int pid, string comm) =>
        Write(KernelLogLevel.Info, UnableToReapFormat, new KernelLogArgs(comm, null, pid));
}
