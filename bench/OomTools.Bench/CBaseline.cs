using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;

namespace OomTools.Bench;

/// <summary>
/// Runs the C loop of bench/baseline/select.c (compiled by Invoke-Bench.ps1 with cc -O2) on the same table as the
/// C# loop, written to a temp file, and reads back its victim and its median scan time.
/// </summary>
internal static class CBaseline
{
    public static (long Index, long Points, double MedianMs, string Runs)? Run(string exe, PlainTable table, long totalPages, int runs)
    {
        string data = Path.Combine(Path.GetTempPath(), $"oomtools-bench-select-{Environment.ProcessId}.bin");
        try
        {
            table.WriteBinary(data, totalPages);
            var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            psi.ArgumentList.Add(data);
            psi.ArgumentList.Add(runs.ToString(CultureInfo.InvariantCulture));
            using var p = Process.Start(psi)!;
            string output = p.StandardOutput.ReadToEnd();
            string error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            // "chosen <index> points <points> median_ms <ms> runs_ms <ms> ..."
            var f = output.Trim().Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (p.ExitCode != 0 || f.Length < 7 || f[0] != "chosen" || f[2] != "points" || f[4] != "median_ms")
            {
                Console.WriteLine($"# select: the C loop ({exe}) failed: exit {p.ExitCode}, output '{output.Trim()}', errors '{error.Trim()}'; the C# loop is the baseline");
                return null;
            }
            var inv = CultureInfo.InvariantCulture;
            return (long.Parse(f[1], inv), long.Parse(f[3], inv), double.Parse(f[5], inv), string.Join(" ", f, 7, f.Length - 7));
        }
        finally
        {
            File.Delete(data);
        }
    }
}
