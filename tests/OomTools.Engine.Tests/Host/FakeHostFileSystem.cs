using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OomTools.Engine.Host;

namespace OomTools.Engine.Tests.Host;

/// <summary>
/// An in-memory /proc and cgroupfs for HostSnapshot: files by full path, folders listed in the order they were
/// first named (so a test can list pids out of order), paths that deny reading, and folders that are listed
/// but whose files are gone (a process that exited between the listing and the read).
/// </summary>
internal sealed class FakeHostFileSystem : IHostFileSystem
{
    private readonly Dictionary<string, string> files = new(StringComparer.Ordinal);
    private readonly List<string> folders = new();
    private readonly HashSet<string> denied = new(StringComparer.Ordinal);

    /// <summary>Every path read, in order (denied ones included).</summary>
    public List<string> Reads { get; } = new();

    public FakeHostFileSystem File(string path, string text)
    {
        files[path] = text;
        AddFolders(path.Substring(0, path.LastIndexOf('/')));
        return this;
    }

    /// <summary>A folder that is listed but holds nothing (its process has exited).</summary>
    public FakeHostFileSystem Folder(string path)
    {
        AddFolders(path);
        return this;
    }

    /// <summary>Reading this path throws UnauthorizedAccessException (EACCES), as DiskFileSystem lets it.</summary>
    public FakeHostFileSystem Deny(string path)
    {
        denied.Add(path);
        return this;
    }

    private void AddFolders(string dir)
    {
        for (var d = dir; d.Length > 1; d = d.Substring(0, Math.Max(1, d.LastIndexOf('/'))))
            if (!folders.Contains(d)) folders.Add(d);
    }

    public string? ReadText(string path)
    {
        Reads.Add(path);
        if (denied.Contains(path)) throw new UnauthorizedAccessException($"Access to the path '{path}' is denied.");
        return files.TryGetValue(path, out var text) ? text : null;
    }

    public IEnumerable<string> Folders(string path)
    {
        var prefix = path.TrimEnd('/') + "/";
        return folders.Where(f => f.StartsWith(prefix, StringComparison.Ordinal) && f.IndexOf('/', prefix.Length) < 0)
            .Select(f => f.Substring(prefix.Length)).ToList();
    }
}

/// <summary>The text of /proc files, in the kernel's layouts (fs/proc/array.c, task_mmu.c).</summary>
internal static class ProcText
{
    /// <summary>The memory lines of /proc/PID/status, in kB, as task_mem prints them.</summary>
    public sealed record Vm(long SizeKb, long AnonKb, long FileKb, long ShmemKb, long PteKb, long SwapKb);

    /// <summary>/proc/PID/status. <paramref name="kthread"/> null leaves out the Kthread line (kernels before 6.1).</summary>
    public static string Status(int pid, string name, Vm? vm = null, int uid = 0, int threads = 1, bool? kthread = false,
        string state = "S (sleeping)", int? tgid = null, int ppid = 1)
    {
        var lines = new List<string>
        {
            $"Name:\t{name}", "Umask:\t0022", $"State:\t{state}", $"Tgid:\t{tgid ?? pid}", "Ngid:\t0", $"Pid:\t{pid}", $"PPid:\t{ppid}",
            "TracerPid:\t0", $"Uid:\t{uid}\t{uid}\t{uid}\t{uid}", $"Gid:\t{uid}\t{uid}\t{uid}\t{uid}", "FDSize:\t64", "Groups:\t ",
            $"NStgid:\t{pid}", $"NSpid:\t{pid}", "NSpgid:\t0", "NSsid:\t0",
        };
        if (kthread is { } k) lines.Add($"Kthread:\t{(k ? 1 : 0)}");
        if (vm is not null)
        {
            lines.Add(Kb("VmPeak", vm.SizeKb));
            lines.Add(Kb("VmSize", vm.SizeKb));
            lines.Add(Kb("VmLck", 0));
            lines.Add(Kb("VmPin", 0));
            lines.Add(Kb("VmHWM", vm.AnonKb + vm.FileKb + vm.ShmemKb));
            lines.Add(Kb("VmRSS", vm.AnonKb + vm.FileKb + vm.ShmemKb));
            lines.Add(Kb("RssAnon", vm.AnonKb));
            lines.Add(Kb("RssFile", vm.FileKb));
            lines.Add(Kb("RssShmem", vm.ShmemKb));
            lines.Add(Kb("VmData", vm.AnonKb));
            lines.Add(Kb("VmStk", 132));
            lines.Add(Kb("VmExe", 1000));
            lines.Add(Kb("VmLib", 2000));
            lines.Add(Kb("VmPTE", vm.PteKb));
            lines.Add(Kb("VmSwap", vm.SwapKb));
            lines.Add(Kb("HugetlbPages", 0));
            lines.Add("CoreDumping:\t0");
            lines.Add("THP_enabled:\t1");
        }
        lines.Add($"Threads:\t{threads}");
        lines.Add("SigQ:\t0/96365");
        lines.Add("Cpus_allowed_list:\t0-1");
        lines.Add("voluntary_ctxt_switches:\t10");
        return string.Join("\n", lines) + "\n";
    }

    private static string Kb(string key, long kb) => $"{key}:\t{kb.ToString(CultureInfo.InvariantCulture),8} kB";

    /// <summary>/proc/PID/stat: flags are field 9 and the start time (clock ticks after boot) field 22.</summary>
    public static string Stat(int pid, string comm, uint flags, long start, char state = 'S') =>
        $"{pid} ({comm}) {state} 1 {pid} {pid} 0 -1 {flags} 116428 0 0 0 205 1035 0 0 20 0 1 0 {start} 43917312 3362 " +
        "18446744073709551615 1 1 0 0 0 0 0 4096 1256 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

    public static string Meminfo(long memKb, long swapKb) =>
        $"MemTotal:       {memKb} kB\nMemFree:        {memKb / 2} kB\nMemAvailable:   {memKb / 2} kB\nBuffers:            1000 kB\n" +
        $"Cached:           20000 kB\nSwapCached:            0 kB\nSwapTotal:      {swapKb} kB\nSwapFree:       {swapKb} kB\n";
}
