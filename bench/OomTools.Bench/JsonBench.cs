using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using OomTools.Engine.Model;
using OomTools.Engine.Serialization;

namespace OomTools.Bench;

/// <summary>
/// Export and import of a machine of N tasks as an oomtools.machine/v1 file (OomMachineJson onto a file and back,
/// streaming), against building that machine: time (goal: export + import within 10x of the build) and the
/// process's peak working set (goal: at most 1 GiB). Run alone (--only json) so the peak is this measurement's.
/// </summary>
internal static class JsonBench
{
    private const double TimeGoalRatio = 10.0;
    private const long PeakGoalBytes = 1L << 30;

    public static (string Line, bool Ok) Measure(int n, int seed)
    {
        var mix = TaskMix.Generate(n, seed, selectionMix: false);
        var build = Stopwatch.StartNew();
        var machine = mix.BuildMachine();
        build.Stop();
        mix = null;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

        string file = Path.Combine(Path.GetTempPath(), $"oomtools-bench-{Environment.ProcessId}.json");
        try
        {
            var export = Stopwatch.StartNew();
            using (var writer = new StreamWriter(file, append: false, new UTF8Encoding(false), bufferSize: 1 << 16))
                OomMachineJson.Write(machine, writer);
            export.Stop();
            long bytes = new FileInfo(file).Length;
            int count = machine.Tasks.Count;
            machine = null;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

            var import = Stopwatch.StartNew();
            var copy = OomMachineJson.Read(() => new StreamReader(file, new UTF8Encoding(false), false, 1 << 16));
            import.Stop();
            bool ok = copy.Tasks.Count == count;
            if (!ok) Console.WriteLine($"# json: TASK COUNT MISMATCH: {copy.Tasks.Count:N0} imported of {count:N0}");

            long peak = Process.GetCurrentProcess().PeakWorkingSet64;
            double ratio = (export.Elapsed + import.Elapsed).TotalMilliseconds / build.Elapsed.TotalMilliseconds;
            Console.WriteLine($"# json: {n:N0} tasks, file {bytes / 1048576.0:F0} MiB; build {build.Elapsed.TotalSeconds:F2} s, " +
                              $"export {export.Elapsed.TotalSeconds:F2} s, import {import.Elapsed.TotalSeconds:F2} s");
            string verdict = !ok ? "TASK COUNT MISMATCH" : ratio <= TimeGoalRatio && peak <= PeakGoalBytes ? "meets goal" : "MISSES goal";
            return ($"json Export-OomMachine + Import-OomMachine (OomMachineJson, streaming), {n:N0} tasks: figure export + import " +
                    $"{(export.Elapsed + import.Elapsed).TotalSeconds:F2} s against building the machine {build.Elapsed.TotalSeconds:F2} s, " +
                    $"peak working set {peak / 1048576.0:F0} MiB; ratio {ratio:F1}x; goal works, <= {TimeGoalRatio:0}x and peak <= {PeakGoalBytes / 1048576} MiB — {verdict}", ok);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
