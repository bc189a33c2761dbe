using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using OomTools.Engine.Host;
using OomTools.Engine.Model;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Host;

/// <summary>
/// HostSnapshot over tests/fixtures/host-proc, a saved /proc and cgroup v1 memory tree of a real Linux 6.18 host
/// (made by tests/fixtures/host-proc/Save-HostProc.ps1, keeping only processes whose status did not move while
/// they were copied). The kernel's own /proc/PID/oom_score was saved with every process: the simulator must
/// give the same number for every one of them.
/// </summary>
public class HostFixtureTests
{
    private static readonly string Fixture = FindFixture();

    private static string FindFixture()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OomTools.sln")))
            {
                var path = Path.Combine(dir.FullName, "tests", "fixtures", "host-proc");
                if (!Directory.Exists(Path.Combine(path, "proc"))) throw new InvalidOperationException($"The fixture {path}/proc is missing.");
                return path;
            }
        }
        throw new InvalidOperationException("OomTools.sln not found above " + AppContext.BaseDirectory);
    }

    private static OomMachine Snapshot(out List<string> warnings)
    {
        var w = new List<string>();
        var m = HostSnapshot.Read(new HostSnapshotOptions
        {
            ProcRoot = Path.Combine(Fixture, "proc"),
            CgroupRoot = Path.Combine(Fixture, "cgroup"),
            PageSize = 4096,
            Name = "fixture",
        }, w.Add);
        warnings = w;
        return m;
    }

    private static int[] SavedPids() =>
        Directory.GetDirectories(Path.Combine(Fixture, "proc"))
            .Select(Path.GetFileName)
            .Where(n => n!.All(char.IsDigit))
            .Select(n => int.Parse(n!, CultureInfo.InvariantCulture))
            .OrderBy(p => p)
            .ToArray();

    private static long SavedOomScore(int pid) =>
        long.Parse(File.ReadAllText(Path.Combine(Fixture, "proc", pid.ToString(CultureInfo.InvariantCulture), "oom_score")).Trim(),
            CultureInfo.InvariantCulture);

    [Fact]
    public void EverySavedProcess_IsInTheSnapshot_WithoutWarnings()
    {
        var m = Snapshot(out var warnings);

        Assert.Empty(warnings);
        Assert.Equal(SavedPids(), m.Tasks.Select(t => t.Pid).OrderBy(p => p).ToArray());
    }

    [Fact]
    public void EverySavedOomScore_EqualsProcOomScore()
    {
        var m = Snapshot(out _);
        var pids = SavedPids();
        var differ = new List<string>();
        foreach (var pid in pids)
        {
            long kernel = SavedOomScore(pid);
            long simulated = m.Killer.ProcOomScore(m.GetTask(pid));
            if (kernel != simulated) differ.Add($"{pid} ({m.GetTask(pid).Comm}): kernel {kernel}, simulated {simulated}");
        }

        Assert.True(pids.Length >= 10, $"only {pids.Length} processes in the fixture");
        Assert.True(differ.Count == 0, $"{pids.Length - differ.Count} same, {differ.Count} differ:\n" + string.Join("\n", differ));
    }

    [Fact]
    public void TheHost_ByHand()
    {
        var m = Snapshot(out _);

        // MemTotal 24684096 kB = 6171024 pages; SwapTotal 0; one node; cgroup v1 (memory/memory.limit_in_bytes).
        Assert.Equal(6171024, m.TotalRamPages.Value);
        Assert.Equal(0, m.TotalSwapPages.Value);
        Assert.Single(m.Nodes);
        Assert.Equal(CgroupVersion.V1, m.CgroupVersion);
        var init = m.GetTask(1);
        Assert.True(init.IsGlobalInit);
        Assert.Equal(0, m.Killer.ProcOomScore(init));
        Assert.True(m.GetTask(2).IsKernelThread);   // kthreadd
    }

    [Fact]
    public void TheBiggestSavedProcess_ByHand()
    {
        var m = Snapshot(out _);
        var t = m.GetTask(18548);

        // status of 18548 (dotnet): RssAnon 6252 kB, RssFile 50804 kB, RssShmem 5948 kB, VmPTE 404 kB, VmSwap 0;
        // 1563 + 12701 + 1487 = 15751 rss pages + 404*1024/4096 = 101 page-table pages = 15852 points.
        Assert.Equal("dotnet", t.Comm);
        Assert.Equal(15852, m.Killer.OomBadness(t, new Pages(6171024)));
        // oom_score: 15852000 / 6171024 = 2; (1000 + 2) * 2 / 3 = 668, which is what the kernel printed.
        Assert.Equal(668, m.Killer.ProcOomScore(t));
        Assert.Equal(668, SavedOomScore(18548));
        Assert.Equal("/process_api/da28ef6c811d383f4ef936b87209e80f", t.Memcg.Path);
        // The v1 limits read 9223372036854771712 (no limit): 2^51 - 1 pages, the page counter's maximum.
        Assert.Equal(2251799813685247, t.Memcg.MemoryMax.Value);
        Assert.Equal(60, t.Memcg.Swappiness);
    }

    [Fact]
    public void VmstatOomKill_IsTheSavedVmstatCounter()
    {
        var saved = File.ReadAllLines(Path.Combine(Fixture, "proc", "vmstat"))
            .Single(l => l.StartsWith("oom_kill ", StringComparison.Ordinal)).Substring("oom_kill ".Length);
        Assert.Equal(long.Parse(saved, CultureInfo.InvariantCulture), Snapshot(out _).VmstatOomKill);
    }

    [Fact]
    public void Tasks_AreInStartTimeOrder_NotPidOrder()
    {
        var m = Snapshot(out _);
        var order = m.Tasks.Select(t => t.Pid).ToList();

        // stat field 22 (start ticks): 27473 -> 131817, 10454 -> 227206, 12232 -> 249711, 12805 -> 254248: the pids
        // wrapped, the kernel's task list did not. 16770 and 16771 both started at tick 257365: lower pid first.
        Assert.True(order.IndexOf(27473) < order.IndexOf(10454));
        Assert.True(order.IndexOf(10454) < order.IndexOf(12232));
        Assert.True(order.IndexOf(12232) < order.IndexOf(12805));
        Assert.Equal(order.IndexOf(16770) + 1, order.IndexOf(16771));
        Assert.Equal(1, order[0]);
    }
}
