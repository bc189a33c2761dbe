using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using OomTools.Engine.Audit;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;

namespace OomTools.Bench;

/// <summary>
/// Get-OomBadness -Pid N at N tasks: the cmdlet's engine call (<see cref="BadnessRanking.RankedOnly"/>: the task
/// asked for scored, its rank counted over the machine's score table) against the plain loop over parallel arrays
/// of figure 1 (goal: within 5x), with what the cmdlet did before beside it (every task scored into an object,
/// sorted, then filtered: <see cref="BadnessRanking.Ranked"/>). The rows of both are compared first.
/// </summary>
internal static class BadnessPidBench
{
    private const double GoalRatio = 5.0;
    private const int Pid = 2;

    public static (string Line, bool Ok) Measure(int n, int runs, int seed)
    {
        var mix = TaskMix.Generate(n, seed, selectionMix: true);
        var machine = mix.BuildMachine();
        var plain = new PlainTable(mix);
        mix = null;
        var task = machine.GetTask(Pid);
        var asked = new[] { task };
        long totalPages = machine.TotalRamPages.Value + machine.TotalSwapPages.Value;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

        // The first call builds the score table (a walk over every task, as a scan without it): timed on its own.
        double first = Program.Time(() => BadnessRanking.RankedOnly(machine, new OomControl(), asked));
        var now = BadnessRanking.RankedOnly(machine, new OomControl(), asked).Single();
        var old = BadnessRanking.Ranked(machine, new OomControl()).Single(c => c.Pid == Pid);
        bool same = Row(now) == Row(old);
        Console.WriteLine($"# badness-pid: {n:N0} tasks, pid {Pid}: {Row(now)}");
        if (!same)
        {
            Console.WriteLine($"# !!! ROW MISMATCH: before {Row(old)}; the timing is void !!!");
        }

        var warm = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 5 || warm.ElapsedMilliseconds < 1500; i++)
        {
            BadnessRanking.RankedOnly(machine, new OomControl(), asked);
            plain.Select(totalPages, out _);
        }
        Thread.Sleep(300);

        var nowMs = new List<double>();
        var plainMs = new List<double>();
        for (int r = 0; r < runs; r++)
        {
            if (r % 2 == 0)
            {
                nowMs.Add(Program.Time(() => BadnessRanking.RankedOnly(machine, new OomControl(), asked)));
                plainMs.Add(Program.Time(() => plain.Select(totalPages, out _)));
            }
            else
            {
                plainMs.Add(Program.Time(() => plain.Select(totalPages, out _)));
                nowMs.Add(Program.Time(() => BadnessRanking.RankedOnly(machine, new OomControl(), asked)));
            }
        }
        // The old path takes about a second at 1,000,000 tasks: three runs, each beside a plain loop.
        var oldMs = new List<double>();
        var oldPlainMs = new List<double>();
        for (int r = 0; r < 3; r++)
        {
            oldMs.Add(Program.Time(() => BadnessRanking.Ranked(machine, new OomControl()).Single(c => c.Pid == Pid)));
            oldPlainMs.Add(Program.Time(() => plain.Select(totalPages, out _)));
            GC.Collect();
        }
        double e = Program.Median(nowMs), p = Program.Median(plainMs), o = Program.Median(oldMs), op = Program.Median(oldPlainMs);
        double ratio = e / p;
        Console.WriteLine($"# badness-pid: engine runs (ms) {Program.Join(nowMs)}; first call (builds the score table) {first:F1} ms");
        Console.WriteLine($"# badness-pid: plain  runs (ms) {Program.Join(plainMs)}");
        Console.WriteLine($"# badness-pid: before (every task scored and sorted) runs (ms) {Program.Join(oldMs)}: median {o:F1} ms, " +
                          $"ratio {o / op:F0}x of the plain loop beside it ({op:F1} ms)");
        GC.KeepAlive(machine);
        string verdict = !same ? "ROW MISMATCH" : ratio <= GoalRatio ? "meets goal" : "MISSES goal";
        return ($"Get-OomBadness -Pid {Pid} at {n:N0} tasks (engine call): {e:F1} ms, plain loop {p:F1} ms, ratio {ratio:F2}x " +
                $"(goal <= {GoalRatio:0.#}x; before: {o:F0} ms, {o / op:F0}x) — {verdict}", same);
    }

    private static string Row(OomCandidate c) =>
        $"points {c.Points}, rank {c.Rank}, order {c.Order}, rss {c.RssPages}, swap {c.SwapPages}, pgtables {c.PageTablePages}, " +
        $"adj {c.OomScoreAdj} ({c.AdjPages} pages), oom_score {c.OomScore}, {c.Reason}";
}
