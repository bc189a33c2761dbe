using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using OomTools.Engine.Audit;
using OomTools.Engine.Model;

namespace OomTools.Bench;

/// <summary>
/// A fleet audited engine-only: M machines of N tasks, <c>OomProtection.Assess</c> (Test-OomProtection's engine
/// call) of one process on each, one after another and then on two threads (half the fleet each), alternately, in
/// one run. Reports wall time, processor time and bytes allocated per audit and the speedup of the two threads
/// (goal: at least 1.6x, the fleet row's goal on 2 cores). The threads audit different machines: they share
/// nothing the engine writes, so on two idle cores the speedup is what the garbage collector and the memory bus allow.
/// </summary>
internal static class FleetBench
{
    private const double GoalSpeedup = 1.6;

    public static string Measure(int machines, int tasks, int runs, int seed)
    {
        var fleet = new (OomMachine Machine, OomTask Task)[machines];
        for (int i = 0; i < machines; i++)
        {
            var m = TaskMix.Generate(tasks, seed + i, selectionMix: true).BuildMachine();
            OomTask? audited = null;
            for (int t = 1; t < m.Tasks.Count && audited is null; t++) if (m.Tasks[t].Mm is not null) audited = m.Tasks[t];
            fleet[i] = (m, audited ?? m.Tasks[0]);
        }
        var request = new OomRequest();
        void Audit(int from, int to)
        {
            for (int i = from; i < to; i++) OomProtection.Assess(fleet[i].Machine, fleet[i].Task, request, 1);
        }

        // Warm up both ways (tiered compilation, the machines' score tables).
        Audit(0, machines);
        TwoThreads(Audit, machines);

        var self = Process.GetCurrentProcess();
        var seqMs = new List<double>();
        var parMs = new List<double>();
        var seqCpu = new List<double>();
        var parCpu = new List<double>();
        var bytes = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            long before = GC.GetTotalAllocatedBytes(precise: true);
            var (wall, cpu) = Timed(self, () => Audit(0, machines));
            bytes.Add((GC.GetTotalAllocatedBytes(precise: true) - before) / (double)machines);
            seqMs.Add(wall / machines);
            seqCpu.Add(cpu / machines);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            (wall, cpu) = Timed(self, () => TwoThreads(Audit, machines));
            parMs.Add(wall / machines);
            parCpu.Add(cpu / machines);
        }
        double s = Program.Median(seqMs), p = Program.Median(parMs);
        Console.WriteLine($"# fleet: {machines:N0} machines of {tasks:N0} tasks, one Assess each; one thread (ms/audit) {Program.Join(seqMs)}; " +
                          $"two threads {Program.Join(parMs)}");
        Console.WriteLine($"# fleet: processor time per audit {Program.Median(seqCpu):F2} ms on one thread, {Program.Median(parCpu):F2} ms on two; " +
                          $"{Program.Median(bytes) / 1e6:F2} MB allocated per audit");
        double ratio = s / p;
        return $"fleet OomProtection.Assess on {machines:N0} machines x {tasks:N0} tasks, 2 threads vs 1: figure {p:F2} ms/audit " +
               $"(1 thread {s:F2} ms); ratio {ratio:F2}x faster; goal >= {GoalSpeedup}x — {(ratio >= GoalSpeedup ? "meets goal" : "MISSES goal")}";
    }

    private static void TwoThreads(Action<int, int> audit, int machines)
    {
        var other = new Thread(() => audit(machines / 2, machines));
        other.Start();
        audit(0, machines / 2);
        other.Join();
    }

    private static (double WallMs, double CpuMs) Timed(Process self, Action run)
    {
        self.Refresh();
        var cpu = self.TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        run();
        double wall = sw.Elapsed.TotalMilliseconds;
        self.Refresh();
        return (wall, (self.TotalProcessorTime - cpu).TotalMilliseconds);
    }
}
