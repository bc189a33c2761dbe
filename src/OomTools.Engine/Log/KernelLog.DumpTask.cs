using System;
using OomTools.Engine.Kernels;

namespace OomTools.Engine.Log;

public sealed partial class KernelLog
{
    /// <summary>
    /// <c>dump_task()</c>'s <c>pr_info</c>: appends one task-table row at <see cref="KernelLogLevel.Info"/>, kept as
    /// its values and printed in <paramref name="layout"/> when read.
    /// </summary>
    public void TaskRow(TaskTableFormat layout, in DumpTaskRow row) =>
        Write(KernelLogLevel.Info, TaskRowFormat.For(layout), TaskRowFormat.Pack(row));

    /// <summary>
    /// A task-table row in one layout: its ten numbers in eight slots (the pids, uid and oom_score_adj are 32 and 16
    /// bits wide, two to a slot), printed by <see cref="DumpTaskRow.Format"/>.
    /// </summary>
    private sealed class TaskRowFormat : KernelLogFormat
    {
        // One per layout (the enum counts from 0), shared by every row printed in it.
        private static readonly TaskRowFormat[] ByLayout =
            Array.ConvertAll((TaskTableFormat[])Enum.GetValues(typeof(TaskTableFormat)), l => new TaskRowFormat(l));
        private readonly TaskTableFormat layout;

        private TaskRowFormat(TaskTableFormat layout) => this.layout = layout;

        internal static TaskRowFormat For(TaskTableFormat layout) =>
            (uint)layout < (uint)ByLayout.Length && ByLayout[(int)layout].layout == layout ? ByLayout[(int)layout] : new TaskRowFormat(layout);

        internal static KernelLogArgs Pack(in DumpTaskRow r) =>
            new(r.Comm, null, r.TotalVm, r.RssAnon, r.RssFile, r.RssShmem, r.PgtablesBytes, r.SwapEnts,
                Two(r.Tid, r.Uid), Two(r.Tgid, r.OomScoreAdj));

        internal override string Format(in KernelLogArgs a) =>
            new DumpTaskRow(High(a.N6), Low(a.N6), High(a.N7), a.N0, a.N1, a.N2, a.N3, a.N4, a.N5, (short)Low(a.N7), a.S0!)
                .Format(layout);

        private static long Two(int high, int low) => ((long)high << 32) | (uint)low;
        private static int High(long two) => (int)(two >> 32);
        private static int Low(long two) => (int)two;
    }
}
