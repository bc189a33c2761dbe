using System.Collections.Generic;
using OomTools.Engine.Time;
using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

public sealed partial class OomMachine
{
    /// <summary>
    /// <paramref name="task"/> allocates <paramref name="total"/> pages, charged as the page allocator and the
    /// memcg charge path charge them (running the OOM killer where they do not fit): all at once, or at
    /// <paramref name="perSecond"/> pages a second of simulated time (a leak), in ticks of about 10 ms.
    /// Returns what happened, in order.
    /// </summary>
    public IReadOnlyList<TimelineEvent> Allocate(OomTask task, Pages total, Pages? perSecond = null)
    {
        if (perSecond is { Value: <= 0 } bad)
            throw new OomEngineException(OomError.InvalidArgument, $"An allocation rate must be positive; {bad} pages a second is not.", bad);
        // About 10 ms a tick: 1 jiffy at HZ=100, 2 at 250, 10 at 1000; at least one page each.
        long tick = System.Math.Max(1, Hz / 100);
        long perTick = perSecond is { } rate ? System.Math.Max(1, rate.Value * tick / Hz) : 0;
        return Killer.Allocate(task, total, perTick, tick);
    }
}
