using System;
using System.Collections.Generic;
using System.Diagnostics;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;

namespace OomTools.Bench;

/// <summary>
/// What <c>Invoke-OutOfMemory -WhatIf</c> does under the machine's lock, on N tasks (the decision with its ranked
/// candidates, the machine left as it was), against the plain loop over arrays: time (goal: within 20x) and bytes
/// allocated per call (goal: at most 100 MB). The same without recorded candidates is printed for context.
/// </summary>
internal static class WhatIfBench
{
    private const double GoalRatio = 20.0;
    private const long GoalBytes = 100_000_000;

    public static (string Line, bool Ok) Measure(int n, int runs, int seed)
    {
        var mix = TaskMix.Generate(n, seed, selectionMix: true);
        var machine = mix.BuildMachine();
        var plain = new PlainTable(mix);
        long totalPages = machine.TotalRamPages.Value + machine.TotalSwapPages.Value;
        int plainIndex = plain.Select(totalPages, out long plainPoints);
        var first = WhatIf(machine, record: true);
        bool ok = first.Victim is { } v && ReferenceEquals(machine.Tasks[plainIndex], Original(machine, v)) && first.VictimPoints == plainPoints
                  && machine.OomKillCount == 0 && machine.Log.Count == 0;
        Console.WriteLine($"# whatif: {n:N0} tasks; chose {first.Victim?.Pid} with {first.VictimPoints:N0} points " +
                          $"(plain loop: pid {machine.Tasks[plainIndex].Pid}, {plainPoints:N0}), {first.Candidates.Count:N0} candidates, " +
                          $"{first.Log.Count:N0} log lines kept");
        if (!ok) Console.WriteLine("# !!! WHATIF MISMATCH: another victim than the plain loop's, or the machine changed; the timing is void !!!");
        first = null;

        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 2 || warm.ElapsedMilliseconds < 1500; i++) { WhatIf(machine, record: true); plain.Select(totalPages, out _); }

        var whatIf = new List<double>();
        var bare = new List<double>();
        var plainMs = new List<double>();
        var bytes = new List<double>();
        var noDump = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            long before = GC.GetAllocatedBytesForCurrentThread();
            whatIf.Add(Program.Time(() => WhatIf(machine, record: true)));
            bytes.Add(GC.GetAllocatedBytesForCurrentThread() - before);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            bare.Add(Program.Time(() => WhatIf(machine, record: false)));
            plainMs.Add(Program.Time(() => plain.Select(totalPages, out _)));
            machine.OomDumpTasks = false;
            noDump.Add(Program.Time(() => WhatIf(machine, record: false)));
            machine.OomDumpTasks = true;
        }
        double w = Program.Median(whatIf), b = Program.Median(bare), p = Program.Median(plainMs), a = Program.Median(bytes);
        Console.WriteLine($"# whatif: runs (ms) {Program.Join(whatIf)}; without candidates {Program.Join(bare)}; plain loop {Program.Join(plainMs)}");
        double d = Program.Median(noDump);
        Console.WriteLine($"# whatif: without recorded candidates (context) {b:F1} ms, {b / p:F1}x the plain loop; " +
                          $"without them and with vm.oom_dump_tasks=0 {d:F1} ms, {d / p:F1}x");
        GC.KeepAlive(machine);
        string verdict = !ok ? "WHATIF MISMATCH" : w / p <= GoalRatio && a <= GoalBytes ? "meets goal" : "MISSES goal";
        return ($"whatif {n:N0} tasks: {w:F1} ms, plain loop {p:F2} ms, ratio {w / p:F1}x (goal <= {GoalRatio:0}x), " +
                $"{a / 1e6:F1} MB allocated per call (goal <= {GoalBytes / 1e6:0} MB) — {verdict}", ok);
    }

    /// <summary>The engine's work of <c>Invoke-OutOfMemory -WhatIf</c> (InvokeOutOfMemoryCommand): a global OOM decided without changing the machine.</summary>
    private static OomOutcome WhatIf(OomMachine machine, bool record)
    {
        lock (machine.SyncRoot)
            return machine.WhatIf(m => m.Killer.Invoke(new OomControl { RecordCandidates = record }));
    }

    // The machine's own task for a task of the outcome (the same task, or a copy's with the same pid).
    private static OomTask? Original(OomMachine machine, OomTask t) => machine.FindTask(t.Pid);
}
