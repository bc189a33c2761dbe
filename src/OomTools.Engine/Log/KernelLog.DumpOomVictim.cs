using System.Globalization;
using OomTools.Engine.Units;

namespace OomTools.Engine.Log;

public sealed partial class KernelLog
{
    /// <summary>
    /// <c>dump_oom_victim()</c>'s one-line <c>oom-kill:</c> summary (<see cref="KernelLogLevel.Info"/>): the
    /// constraint, the allocation's nodemask (<c>(null)</c> when none), current's cpuset and mems_allowed, the OOM's
    /// memcg (<c>global_oom</c> when <paramref name="oomMemcg"/> is null), then the victim's memcg, comm, pid and uid.
    /// </summary>
    public void OomKillSummary(string constraint, NodeMask? nodemask, string cpuset, NodeMask memsAllowed, string? oomMemcg,
        string taskMemcg, string comm, int pid, int uid) =>
        Write(KernelLogLevel.Info, new OomKillLine(constraint, nodemask, cpuset, memsAllowed, oomMemcg, taskMemcg, comm, pid, uid), default);

    /// <summary>
    /// The <c>oom-kill:</c> line's values: more strings than a record's slots hold, so the line keeps them itself
    /// (one small object, printed at most ten times in five seconds by the rate limit).
    /// </summary>
    private sealed class OomKillLine : KernelLogFormat
    {
        private readonly string constraint, cpuset, taskMemcg, comm;
        private readonly string? oomMemcg;
        private readonly NodeMask? nodemask;
        private readonly NodeMask mems;
        private readonly int pid, uid;

        internal OomKillLine(string constraint, NodeMask? nodemask, string cpuset, NodeMask mems, string? oomMemcg,
            string taskMemcg, string comm, int pid, int uid)
        {
            this.constraint = constraint; this.nodemask = nodemask; this.cpuset = cpuset; this.mems = mems;
            this.oomMemcg = oomMemcg; this.taskMemcg = taskMemcg; this.comm = comm; this.pid = pid; this.uid = uid;
        }

        internal override string Format(in KernelLogArgs a) =>
            string.Format(CultureInfo.InvariantCulture,
                "oom-kill:constraint={0},nodemask={1},cpuset={2},mems_allowed={3}{4},task_memcg={5},task={6},pid={7},uid={8}",
                constraint, nodemask is { } nm ? nm.ToString() : "(null)", cpuset, mems.ToString(),
                oomMemcg is null ? ",global_oom" : ",oom_memcg=" + oomMemcg, taskMemcg, comm, pid, uid);
    }
}
