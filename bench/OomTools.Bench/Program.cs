using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Runtime;
using System.Threading;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;

namespace OomTools.Bench;

/// <summary>
/// Engine benchmarks, reported as figures and ratios measured in this run (never pass/fail):
///   select  OomKiller.SelectBadProcess over N tasks vs a plain loop over parallel arrays (goal: within 2x): the C
///           loop of bench/baseline/select.c when --c-baseline names its executable, and always the same loop in C#;
///           the task-by-task reference scan (what it was before the score table) timed beside them
///   badness-pid  Get-OomBadness -Pid's engine call (BadnessRanking.RankedOnly) at N tasks vs the same plain loop
///           (goal: within 5x), beside what the cmdlet did before (score and sort every task)
///   memory  engine bytes per task, GC.GetTotalMemory(true) around adding N tasks, 5% of them multi-threaded
///           (goal: at most 120)
///   json    export + import of N tasks as a machine file vs building the machine (goal: within 10x, peak <= 1 GiB);
///           only with --only json, so the peak working set is its own
///   whatif  what Invoke-OutOfMemory -WhatIf does on N tasks vs the plain loop (goal: within 20x, <= 100 MB allocated)
///   storm   1,000 OOM kills in a row on N tasks (100,000 unless --tasks) vs 1,000 plain scans (goal: within 20x)
///           whatif and storm only with --only (each takes tens of seconds at their sizes)
///   fleet   OomProtection.Assess on 300 machines of N tasks (1,000 unless --tasks), one thread vs two (goal: >= 1.6x);
///           only with --only
/// Usage: OomTools.Bench [--tasks N] [--runs N] [--only select|memory|json|badness-pid|whatif|storm|fleet] [--c-baseline EXE]
/// Exit code 0, or 3 when the engine and the plain loop chose different victims (or json imported another count).
/// </summary>
internal static class Program
{
    private const double SelectGoalRatio = 2.0;
    private const double BytesPerTaskGoal = 120.0;
    private const int Seed = 20240611;

    private static int Main(string[] args)
    {
        int tasks = 1_000_000, runs = 11;
        bool tasksGiven = false, runsGiven = false;
        string? only = null, cBaseline = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--tasks": tasks = int.Parse(args[++i], NumberStyles.AllowThousands, CultureInfo.InvariantCulture); tasksGiven = true; break;
                case "--runs": runs = int.Parse(args[++i], CultureInfo.InvariantCulture); runsGiven = true; break;
                case "--only": only = args[++i]; break;
                case "--c-baseline": cBaseline = args[++i]; break;
                default:
                    Console.Error.WriteLine($"unknown argument '{args[i]}'; usage: [--tasks N] [--runs N] [--only select|memory|json|badness-pid|whatif|storm|fleet] [--c-baseline EXE]");
                    return 64;
            }
        }

        Console.WriteLine($"# .NET {Environment.Version}, {Environment.ProcessorCount} cpus, {(GCSettings.IsServerGC ? "server" : "workstation")} GC, " +
                          $"{(Stopwatch.IsHighResolution ? "high-resolution" : "low-resolution")} Stopwatch");
        var lines = new List<string>();
        int exit = 0;
        // Memory first, on a heap that holds nothing else of size.
        if (only is null or "memory") lines.Add(MeasureMemory(tasks));
        if (only is "json")
        {
            try
            {
                var (line, ok) = JsonBench.Measure(tasks, Seed + 2);
                lines.Add(line);
                if (!ok) exit = 3;
            }
            catch (Exception e) when (e is OutOfMemoryException or System.IO.IOException or InvalidOperationException)
            {
                // "Works" is part of the goal: a failure is its figure.
                Console.WriteLine($"# json: {e}");
                lines.Add($"json Export-OomMachine + Import-OomMachine (OomMachineJson, streaming), {tasks:N0} tasks: figure failed with " +
                          $"{e.GetType().Name}; ratio n/a; goal works, <= 10x and peak <= 1024 MiB — MISSES goal");
            }
        }
        if (only is "whatif")
        {
            var (line, ok) = WhatIfBench.Measure(tasks, runsGiven ? runs : 5, Seed + 3);
            lines.Add(line);
            if (!ok) exit = 3;
        }
        if (only is "storm") lines.Add(StormBench.Measure(tasksGiven ? tasks : 100_000, 1000, runsGiven ? runs : 3, Seed + 4));
        if (only is "fleet") lines.Add(FleetBench.Measure(300, tasksGiven ? tasks : 1000, runsGiven ? runs : 5, Seed + 5));
        if (only is null or "select")
        {
            var (line, ok) = MeasureSelect(tasks, runs, cBaseline);
            lines.Add(line);
            if (!ok) exit = 3;
        }
        if (only is null or "badness-pid")
        {
            var (line, ok) = BadnessPidBench.Measure(tasks, runs, Seed);
            lines.Add(line);
            if (!ok) exit = 3;
        }
        Console.WriteLine();
        foreach (var l in lines) Console.WriteLine(l);
        return exit;
    }

    // ---- 1. victim selection -------------------------------------------------------------------------------

    private static (string Line, bool Ok) MeasureSelect(int n, int runs, string? cBaseline)
    {
        var mix = TaskMix.Generate(n, Seed, selectionMix: true);
        var machine = mix.BuildMachine();
        var plain = new PlainTable(mix);
        var killer = machine.Killer;
        var oc = new OomControl { RecordCandidates = false };
        var constraint = killer.ConstrainedAlloc(oc);   // sets oc.TotalPages (RAM + swap) as out_of_memory does
        long totalPages = oc.TotalPages.Value;
        Console.WriteLine($"# select: {n:N0} tasks ({mix.Unkillable:N0} unkillable, {mix.AdjNonZero:N0} with oom_score_adj != 0, " +
                          $"{mix.MultiThreaded:N0} multi-threaded), constraint {constraint}, totalpages {totalPages:N0}");
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();

        // Correctness first: the same victim, or the ratio means nothing.
        var (engineTask, enginePoints) = RunEngine(killer, oc);
        int plainIndex = plain.Select(totalPages, out long plainPoints);
        var plainTask = plainIndex >= 0 ? machine.Tasks[plainIndex] : null;
        bool same = !oc.Aborted && ReferenceEquals(engineTask, plainTask) && enginePoints == plainPoints;
        Console.WriteLine($"# select: engine chose {Describe(engineTask)} with {enginePoints:N0} points; " +
                          $"plain loop chose {Describe(plainTask)} with {plainPoints:N0} points");
        if (!same)
        {
            Shout("VICTIM MISMATCH: the engine and the plain loop chose different victims; the timing is void");
        }

        // Warm up until both loops are past tiered compilation's tier 0 / OSR code, then let the background
        // tier-1 compiles land.
        var warm = Stopwatch.StartNew();
        for (int i = 0; i < 5 || warm.ElapsedMilliseconds < 1500; i++)
        {
            RunEngine(killer, oc);
            killer.SelectBadProcessReference(oc);
            plain.Select(totalPages, out _);
        }
        Thread.Sleep(300);

        // Without RecordCandidates the scan should allocate nothing (measured on the warmed-up code: tier-0 code
        // allocates where optimised code may not, and the other way round).
        long before = GC.GetAllocatedBytesForCurrentThread();
        RunEngine(killer, oc);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // Alternate the order so neither side always runs on a cache the other just warmed.
        var engineMs = new List<double>();
        var plainMs = new List<double>();
        var referenceMs = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            if (r % 2 == 0)
            {
                engineMs.Add(Time(() => RunEngine(killer, oc)));
                plainMs.Add(Time(() => plain.Select(totalPages, out _)));
            }
            else
            {
                plainMs.Add(Time(() => plain.Select(totalPages, out _)));
                engineMs.Add(Time(() => RunEngine(killer, oc)));
            }
            referenceMs.Add(Time(() => killer.SelectBadProcessReference(oc)));
        }
        // The reference scan must still agree (it is what the table is tested against), and leaves oc as it found it.
        if (!ReferenceEquals(oc.Chosen, engineTask) || oc.ChosenPoints != enginePoints) same = false;
        RunEngine(killer, oc);
        double e = Median(engineMs), p = Median(plainMs), byTask = Median(referenceMs);
        double ratio = e / p;
        Console.WriteLine($"# select: engine runs (ms) {Join(engineMs)}; allocated {allocated:N0} bytes per scan");
        Console.WriteLine($"# select: plain  runs (ms) {Join(plainMs)}");
        Console.WriteLine($"# select: task-by-task reference scan (the engine before its score table) runs (ms) {Join(referenceMs)}: " +
                          $"median {byTask:F1} ms, ratio {byTask / p:F2}x of the plain loop");
        Console.WriteLine($"# select: engine {e * 1e6 / n:F2} ns/task, plain loop {p * 1e6 / n:F2} ns/task");

        // Context only: the plain arrays (26 bytes a task) nearly fit a large last-level cache, the engine's
        // objects (a few hundred bytes a task) do not. The same two scans, each after reading a buffer larger than
        // any cache, show whether the ratio is a cache artefact (on the 32 MiB-L3 machine it was written on: not).
        var evict = new long[EvictBytes / sizeof(long)];
        var coldEngine = new List<double>();
        var coldPlain = new List<double>();
        for (int r = 0; r < Math.Max(5, runs / 2); r++)
        {
            Evict(evict);
            coldEngine.Add(Time(() => RunEngine(killer, oc)));
            Evict(evict);
            coldPlain.Add(Time(() => plain.Select(totalPages, out _)));
        }
        double ce = Median(coldEngine), cp = Median(coldPlain);
        Console.WriteLine($"# select, caches flushed before each run (context, not the goal): engine {ce:F1} ms, plain loop {cp:F1} ms, ratio {ce / cp:F2}x");
        GC.KeepAlive(machine);

        // The C loop, in its own process on the same data: the goal's baseline when there is a C compiler; the C#
        // loop is its measured proxy otherwise.
        string baseline = "C# loop (no C compiler)";
        double b = p;
        if (cBaseline is not null)
        {
            var c = CBaseline.Run(cBaseline, plain, totalPages, runs);
            // A C loop that could not run is no mismatch: the C# loop, its measured proxy, stays the baseline.
            if (c is null) baseline = "C# loop (the C loop failed)";
            else
            {
                bool cSame = c.Value.Index == plainIndex && c.Value.Points == plainPoints;
                Console.WriteLine($"# select: C loop (cc -O2) chose {(c.Value.Index >= 0 ? Describe(machine.Tasks[(int)c.Value.Index]) : "nothing")} with {c.Value.Points:N0} points; " +
                                  $"runs (ms) {c.Value.Runs}; C# loop at {p / c.Value.MedianMs:F2}x of C");
                if (!cSame) Shout("VICTIM MISMATCH: the C loop and the C# loop chose different victims; the timing is void");
                same &= cSame;
                b = c.Value.MedianMs;
                baseline = "C -O2 loop";
            }
        }
        ratio = e / b;
        string verdict = !same ? "VICTIM MISMATCH" : ratio <= SelectGoalRatio ? "meets goal" : "MISSES goal";
        return ($"select {n:N0} tasks: figure engine {e:F2} ms against {baseline} {b:F2} ms (C# loop {p:F2} ms); ratio {ratio:F2}x; goal <= {SelectGoalRatio:0.#}x — {verdict}", same);
    }

    /// <summary>A line no one can miss, for a result that voids the timing.</summary>
    internal static void Shout(string message)
    {
        string bar = "# " + new string('!', message.Length + 8);
        Console.WriteLine("#");
        Console.WriteLine(bar);
        Console.WriteLine($"# !!! {message} !!!");
        Console.WriteLine(bar);
    }

    private static (OomTask? Chosen, long Points) RunEngine(OomKiller killer, OomControl oc)
    {
        killer.SelectBadProcess(oc);
        return (oc.Chosen, oc.ChosenPoints);
    }

    private static string Describe(OomTask? t) => t is null ? "nothing" : $"pid {t.Pid} ({t.Comm})";

    // ---- 3. bytes per task ---------------------------------------------------------------------------------

    private static string MeasureMemory(int n)
    {
        var mix = TaskMix.Generate(n, Seed + 1, selectionMix: false, multiThreaded: true);
        var spec = new OomTaskSpec();
        var machine = TaskMix.NewMachine();
        long before = GC.GetTotalMemory(forceFullCollection: true);
        for (int i = 0; i < n; i++)
        {
            mix.Fill(spec, i);
            machine.AddTask(spec);
        }
        long after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(machine);
        GC.KeepAlive(mix);
        GC.KeepAlive(spec);

        int withMm = machine.Tasks.Count(t => t.Mm is not null);
        long taskBytes = ObjectBytes(typeof(OomTask)), mmBytes = ObjectBytes(typeof(MemoryDescriptor));
        double perTask = (after - before) / (double)n;
        double rest = perTask - taskBytes - mmBytes * (withMm / (double)n);
        double ratio = perTask / BytesPerTaskGoal;
        Console.WriteLine($"# memory: {n:N0} tasks ({withMm:N0} with their own mm, {mix.MultiThreaded:N0} multi-threaded, {TaskMix.Names.Length} distinct names), " +
                          $"heap grew {after - before:N0} bytes ({(after - before) / 1048576.0:F1} MiB)");
        Console.WriteLine($"# memory: per task: OomTask {taskBytes} B, MemoryDescriptor {mmBytes} B, " +
                          $"the rest (pid and thread-id pages, task lists and their spare capacity, thread arrays, side objects) {rest:F1} B");
        string verdict = perTask <= BytesPerTaskGoal ? "meets goal" : "MISSES goal";
        return $"memory {n:N0} tasks, 5% multi-threaded: figure {perTask:F1} bytes/task; ratio {ratio:F2}x of goal; goal <= {BytesPerTaskGoal:0} bytes/task — {verdict}";
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /// <summary>The heap size of one instance of <paramref name="type"/> (header included), measured by allocating some.</summary>
    private static long ObjectBytes(Type type)
    {
        System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(type);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++) System.Runtime.CompilerServices.RuntimeHelpers.GetUninitializedObject(type);
        return (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;
    }

    private const int EvictBytes = 128 << 20;
    private static long evictSink;

    /// <summary>Reads (and writes) a buffer larger than any cache, so the next scan starts from memory.</summary>
    private static void Evict(long[] buffer)
    {
        long sum = 0;
        for (int i = 0; i < buffer.Length; i += 8) sum += ++buffer[i];
        evictSink += sum;
    }

    internal static double Time(Action a)
    {
        long t0 = Stopwatch.GetTimestamp();
        a();
        return Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
    }

    internal static double Median(List<double> xs)
    {
        var s = xs.OrderBy(x => x).ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }

    internal static string Join(IEnumerable<double> xs) => string.Join(" ", xs.Select(x => x.ToString("F2", CultureInfo.InvariantCulture)));
}
