using System;
using System.Collections.Generic;
using OomTools.Engine.Killer;
using OomTools.Engine.Timeline;

namespace OomTools.Bench;

/// <summary>
/// An OOM storm: K global OOMs in a row on N tasks, each killing the biggest task, whose exit the timeline runs
/// (the victim's exit latency, 20 ms by default) before the next OOM, against K plain scans of the same table
/// (goal: within 20x).
/// </summary>
internal static class StormBench
{
    private const double GoalRatio = 20.0;

    public static string Measure(int n, int kills, int runs, int seed)
    {
        var mix = TaskMix.Generate(n, seed, selectionMix: true);
        var plain = new PlainTable(mix);
        long totalPages = (64L << 30) / TaskMix.PageSize + (8L << 30) / TaskMix.PageSize;
        Storm(mix.BuildMachine(), Math.Min(kills, 50));           // warm-up
        var stormMs = new List<double>();
        var plainMs = new List<double>();
        int killed = 0, logLines = 0;
        for (int r = 0; r < runs; r++)
        {
            var machine = mix.BuildMachine();
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            stormMs.Add(Program.Time(() => killed = Storm(machine, kills)));
            logLines = machine.Log.Count;
            plainMs.Add(Program.Time(() => { for (int k = 0; k < kills; k++) plain.Select(totalPages, out _); }));
        }
        // What Invoke-OutOfMemory runs (row 7's pwsh side): the same storm with the candidates recorded, once (context).
        var recording = mix.BuildMachine();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        double recorded = Program.Time(() => Storm(recording, kills, record: true));
        double s = Program.Median(stormMs), p = Program.Median(plainMs);
        Console.WriteLine($"# storm: with recorded candidates (what Invoke-OutOfMemory asks for; context) {recorded:F0} ms, {recorded / p:F1}x the plain scans");
        Console.WriteLine($"# storm: {n:N0} tasks, {killed:N0} of {kills:N0} OOMs killed a task, {logLines:N0} log records written; " +
                          $"runs (ms) {Program.Join(stormMs)}; plain scans {Program.Join(plainMs)}");
        string verdict = killed == kills && s / p <= GoalRatio ? "meets goal" : "MISSES goal";
        return $"storm {kills:N0} OOM kills on {n:N0} tasks: {s:F0} ms, {kills:N0} plain scans {p:F0} ms, ratio {s / p:F1}x (goal <= {GoalRatio:0}x) — {verdict}";
    }

    // Each OOM as out_of_memory runs it (the report printed as the rate limit allows), then the victim's exit.
    private static int Storm(Engine.Model.OomMachine machine, int kills, bool record = false)
    {
        int killed = 0;
        for (int k = 0; k < kills; k++)
        {
            var o = machine.Killer.Invoke(new OomControl { RecordCandidates = record });
            if (o.Victim is not null) killed++;
            // Time moves only until the victim has exited (its exit latency): a storm, not a sequence of quiet
            // OOMs, so the printk rate limit (10 reports a 5 s) holds back most task tables as in a real one.
            machine.Timeline.StepBy(machine.DefaultExitLatency);
        }
        return killed;
    }
}
