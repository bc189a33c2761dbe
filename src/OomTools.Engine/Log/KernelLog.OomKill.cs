namespace OomTools.Engine.Log;

public sealed partial class KernelLog
{
    private static readonly KernelLogFormat KilledProcessFormat = KernelLogFormat.Of(
        "{s0}: Killed process {n0} ({s1}) total-vm:{n1}kB, anon-rss:{n2}kB, file-rss:{n3}kB, shmem-rss:{n4}kB, UID:{n5} pgtables:{n6}kB oom_score_adj:{n7}");
    private static readonly KernelLogFormat AlreadyExitingFormat = KernelLogFormat.Of(
        "{s0}: OOM victim {n0} ({s1}) is already exiting. Skip killing the task");
    private static readonly KernelLogFormat MmPinnedFormat = KernelLogFormat.Of("oom killer {n0} ({s0}) has mm pinned by {n1} ({s1})");
    private static readonly KernelLogFormat OomGroupFormat = KernelLogFormat.Of("Tasks in {s0} are going to be killed due to memory.oom.group set");

    /// <summary>
    /// <c>__oom_kill_process()</c>'s <c>pr_err("%s: Killed process %d (%s) total-vm:%lukB, anon-rss:%lukB,
    /// file-rss:%lukB, shmem-rss:%lukB, UID:%u pgtables:%lukB oom_score_adj:%hd")</c>, at
    /// <see cref="KernelLogLevel.Err"/>: the victim's sizes as they are at the kill, kept as values.
    /// </summary>
    public void KilledProcess(string message, int tid, string comm, long totalVmKb, long anonRssKb, long fileRssKb,
        long shmemRssKb, int uid, long pgtablesKb, short oomScoreAdj) =>
        Write(KernelLogLevel.Err, KilledProcessFormat,
            new KernelLogArgs(message, comm, tid, totalVmKb, anonRssKb, fileRssKb, shmemRssKb, uid, pgtablesKb, oomScoreAdj));

    /// <summary>
    /// <c>__oom_kill_process()</c>'s <c>"%s: OOM victim %d (%s) is already exiting. Skip killing the task"</c>
    /// (<see cref="KernelLogLevel.Info"/>): the victim had already let go of its mm.
    /// </summary>
    public void OomVictimAlreadyExiting(string message, int pid, string comm) =>
        Write(KernelLogLevel.Info, AlreadyExitingFormat, new KernelLogArgs(message, comm, pid));

    /// <summary>
    /// <c>__oom_kill_process()</c>'s <c>"oom killer %d (%s) has mm pinned by %d (%s)"</c>
    /// (<see cref="KernelLogLevel.Info"/>): global init shares the victim's mm.
    /// </summary>
    public void MmPinned(int tid, string comm, int pinnerPid, string pinnerComm) =>
        Write(KernelLogLevel.Info, MmPinnedFormat, new KernelLogArgs(comm, pinnerComm, tid, pinnerPid));

    /// <summary>
    /// <c>oom_kill_process()</c>'s <c>"Tasks in %s are going to be killed due to memory.oom.group set"</c>
    /// (<see cref="KernelLogLevel.Info"/>), with the group's cgroup path.
    /// </summary>
    public void OomGroupKill(string cgroupPath) =>
        Write(KernelLogLevel.Info, OomGroupFormat, new KernelLogArgs(cgroupPath));
}
