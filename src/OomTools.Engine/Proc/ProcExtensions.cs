using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Proc;

/// <summary>fs/proc/base.c's writers on a machine (C#).</summary>
public static class ProcExtensions
{
    extension(OomMachine machine)
    {
        /// <summary>
        /// A privileged write of <c>/proc/PID/oom_score_adj</c> (CAP_SYS_RESOURCE): sets oom_score_adj and
        /// oom_score_adj_min, on every process sharing the mm too (see <see cref="OomScoreAdjWriter"/>).
        /// </summary>
        public void SetOomScoreAdj(OomTask task, OomScoreAdj adj) => OomScoreAdjWriter.SetOomAdj(machine, task, adj, legacy: false, privileged: true);
    }
}
