using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using Xunit;
using Xunit.Abstractions;

namespace OomTools.Engine.Tests.Fuzz;

/// <summary>
/// Runs fuzz cases: <c>OOMTOOLS_FUZZ_CASES</c> of them (300 in the normal test run), each from its own seed
/// (<c>OOMTOOLS_FUZZ_SEED</c> + case number, so one failing case repeats alone). A case fails when it throws what
/// the cmdlets would not turn into an ErrorRecord. Each case is timed and the slowest is printed; only the long
/// mode (<c>OOMTOOLS_FUZZ_CASES</c> set) fails a case over one second, as timing belongs to benchmarks otherwise.
/// </summary>
internal static class FuzzRun
{
    public const int DefaultCases = 300;
    public static readonly TimeSpan CaseBound = TimeSpan.FromSeconds(1);

    public static int Cases => int.TryParse(Environment.GetEnvironmentVariable("OOMTOOLS_FUZZ_CASES"), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : DefaultCases;
    public static bool LongMode => Environment.GetEnvironmentVariable("OOMTOOLS_FUZZ_CASES") is { Length: > 0 };
    public static int Seed => int.TryParse(Environment.GetEnvironmentVariable("OOMTOOLS_FUZZ_SEED"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var s) ? s : 20261204;

    /// <summary>
    /// Runs <paramref name="run"/> for every case; it returns what the case was (for the messages) and throws when
    /// the case found a fault. Asserts no faults (and, in long mode, no case over <see cref="CaseBound"/>).
    /// </summary>
    public static void Run(string what, ITestOutputHelper output, Func<int, Mutator, string> run)
    {
        var faults = new List<string>();
        var slow = new List<string>();
        var watch = new Stopwatch();
        var total = Stopwatch.StartNew();
        (double Seconds, string Case) slowest = (0, "");
        int cases = Cases, seed = Seed;
        // Case 0 once untimed first: the first parse compiles the regexes and JITs the engine.
        try { run(0, new Mutator(seed)); } catch (Exception) { }
        for (int i = 0; i < cases; i++)
        {
            var mutator = new Mutator(seed + i);
            string description = "?";
            watch.Restart();
            try { description = run(i, mutator); }
            catch (Exception e)
            {
                faults.Add($"case {i} (seed {seed + i}: {string.Join(", ", mutator.Steps)}): {e.GetType().FullName}: {e.Message}{Environment.NewLine}    {FirstFrame(e)}");
            }
            watch.Stop();
            var seconds = watch.Elapsed.TotalSeconds;
            var name = $"case {i} (seed {seed + i}) {description}: {string.Join(", ", mutator.Steps)}";
            if (seconds > slowest.Seconds) slowest = (seconds, name);
            if (watch.Elapsed > CaseBound) slow.Add($"{seconds:F3} s {name}");
        }
        output.WriteLine($"{what}: {cases} cases from seed {seed} in {total.Elapsed.TotalSeconds:F1} s; {faults.Count} faults; slowest {slowest.Seconds * 1000:F1} ms: {slowest.Case}");
        foreach (var s in slow) output.WriteLine("over 1 s: " + s);
        Assert.True(faults.Count == 0, $"{faults.Count} of {cases} {what} cases threw:{Environment.NewLine}{string.Join(Environment.NewLine, faults.Take(8))}");
        if (LongMode) Assert.True(slow.Count == 0, $"{slow.Count} {what} cases took over {CaseBound.TotalSeconds} s:{Environment.NewLine}{string.Join(Environment.NewLine, slow.Take(8))}");
    }

    private static string FirstFrame(Exception e) =>
        (e.StackTrace ?? "").Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.Contains("OomTools.Engine.", StringComparison.Ordinal) && !l.Contains(".Tests.", StringComparison.Ordinal)) ?? "?";
}
