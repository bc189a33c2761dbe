using System;
using System.Diagnostics;
using System.IO;
using System.Runtime.CompilerServices;
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

    // The process's highest working set so far (VmHWM): which step set the peak shows in the detail line.
    private static long Peak()
    {
        using var self = Process.GetCurrentProcess();
        return self.PeakWorkingSet64;
    }

    public static (string Line, bool Ok) Measure(int n, int seed)
    {
        string file = Path.Combine(Path.GetTempPath(), $"oomtools-bench-{Environment.ProcessId}.json");
        try
        {
            var (build, export, count, peakBuild, peakExport) = BuildAndExport(n, seed, file);
            long bytes = new FileInfo(file).Length;
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

            var import = Stopwatch.StartNew();
            var copy = OomMachineJson.Read(() => new StreamReader(file, new UTF8Encoding(false), false, 1 << 16));
            import.Stop();
            bool ok = copy.Tasks.Count == count;
            if (!ok) Console.WriteLine($"# json: TASK COUNT MISMATCH: {copy.Tasks.Count:N0} imported of {count:N0}");

            long peak = Peak();
            double ratio = (export + import.Elapsed).TotalMilliseconds / build.TotalMilliseconds;
            Console.WriteLine($"# json: {n:N0} tasks, file {bytes / 1048576.0:F0} MiB; build {build.TotalSeconds:F2} s, " +
                              $"export {export.TotalSeconds:F2} s, import {import.Elapsed.TotalSeconds:F2} s; " +
                              $"peak working set after the build {peakBuild >> 20} MiB, after the export {peakExport >> 20} MiB");
            string verdict = !ok ? "TASK COUNT MISMATCH" : ratio <= TimeGoalRatio && peak <= PeakGoalBytes ? "meets goal" : "MISSES goal";
            return ($"json Export-OomMachine + Import-OomMachine (OomMachineJson, streaming), {n:N0} tasks: figure export + import " +
                    $"{(export + import.Elapsed).TotalSeconds:F2} s against building the machine {build.TotalSeconds:F2} s, " +
                    $"peak working set {peak / 1048576.0:F0} MiB; ratio {ratio:F1}x; goal works, <= {TimeGoalRatio:0}x and peak <= {PeakGoalBytes / 1048576} MiB — {verdict}", ok);
        }
        finally
        {
            File.Delete(file);
        }
    }

    // The build and the export in a frame of their own, gone before the import: run once, this code stays at tier 0,
    // whose frames keep every local reachable to the end of the method, so a machine set to null in Measure itself
    // stayed alive through the import (about 340 MiB more peak working set).
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (TimeSpan Build, TimeSpan Export, int Count, long PeakBuild, long PeakExport) BuildAndExport(int n, int seed, string file)
    {
        var mix = TaskMix.Generate(n, seed, selectionMix: false);
        var build = Stopwatch.StartNew();
        var machine = mix.BuildMachine();
        build.Stop();
        long peakBuild = Peak();
        mix = null;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);

        var export = Stopwatch.StartNew();
        using (var writer = new StreamWriter(file, append: false, new UTF8Encoding(false), bufferSize: 1 << 16))
            OomMachineJson.Write(machine, writer);
        export.Stop();
        return (build.Elapsed, export.Elapsed, machine.Tasks.Count, peakBuild, Peak());
    }
}
