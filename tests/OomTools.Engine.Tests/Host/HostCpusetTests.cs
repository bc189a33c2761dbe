using System.Collections.Generic;
using OomTools.Engine.Host;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using Xunit;

namespace OomTools.Engine.Tests.Host;

/// <summary>Get-OomSnapshot's cpusets (v1 cpuset controller) and memory cgroup usage.</summary>
public class HostCpusetTests
{
    /// <summary>Two NUMA nodes of 500000 present pages; /db is a hardwall cpuset on node 1, /batch a softwall on node 0.</summary>
    private static FakeHostFileSystem TwoNodeHost()
    {
        var fs = new FakeHostFileSystem();
        fs.File("/proc/meminfo", ProcText.Meminfo(4000000, 0));
        fs.File("/proc/zoneinfo", "Node 0, zone   Normal\n        present  500000\nNode 1, zone   Normal\n        present  500000\n");
        fs.File("/sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
        fs.File("/sys/fs/cgroup/memory/app/memory.limit_in_bytes", "1073741824\n");
        fs.File("/sys/fs/cgroup/memory/app/memory.usage_in_bytes", "536870912\n");
        fs.File("/sys/fs/cgroup/cpuset/cpuset.mems", "0-1\n");
        fs.File("/sys/fs/cgroup/cpuset/db/cpuset.mems", "1\n");
        fs.File("/sys/fs/cgroup/cpuset/db/cpuset.mem_hardwall", "1\n");
        fs.File("/sys/fs/cgroup/cpuset/batch/cpuset.mems", "0\n");
        fs.File("/sys/fs/cgroup/cpuset/batch/cpuset.mem_hardwall", "0\n");
        Process(fs, 100, "postgres", 10, "/", "/db", 40000);
        Process(fs, 200, "etl", 20, "/app", "/batch", 30000);
        Process(fs, 300, "web", 30, "/app", "/", 20000);
        return fs;
    }

    private static void Process(FakeHostFileSystem fs, int pid, string name, long start, string memcg, string cpuset, long anonKb)
    {
        fs.File($"/proc/{pid}/status", ProcText.Status(pid, name, new ProcText.Vm(anonKb * 2, anonKb, 0, 0, 4, 0)));
        fs.File($"/proc/{pid}/stat", ProcText.Stat(pid, name, 0x400100, start));
        fs.File($"/proc/{pid}/oom_score_adj", "0\n");
        fs.File($"/proc/{pid}/cgroup", $"4:memory:{memcg}\n3:cpuset:{cpuset}\n0::/\n");
    }

    private static OomMachine Read(FakeHostFileSystem fs) =>
        HostSnapshot.Read(new HostSnapshotOptions { FileSystem = fs, Name = "numa" }, new List<string>().Add);

    [Fact]
    public void Snapshot_ReadsV1CpusetsWithTheirNodesAndHardwall_AndPutsEachProcessInItsCpuset()
    {
        var m = Read(TwoNodeHost());

        Assert.Equal("1", m.GetCpuset("/db").Mems.ToString());
        Assert.True(m.GetCpuset("/db").Hardwall);
        Assert.Equal("0", m.GetCpuset("/batch").Mems.ToString());
        Assert.False(m.GetCpuset("/batch").Hardwall);
        Assert.Equal("/db", m.GetTask(100).Cpuset.Path);
        Assert.Equal("/batch", m.GetTask(200).Cpuset.Path);
        Assert.Equal("/", m.GetTask(300).Cpuset.Path);
    }

    [Fact]
    public void ConstrainedAlloc_FromTheSnapshotsHardwallCpuset_IsACpusetOom_OverItsNodeOnly()
    {
        var m = Read(TwoNodeHost());
        var oc = new OomControl { Current = m.GetTask(100) };   // GFP_KERNEL: a softwall request, but /db is a hardwall

        Assert.Equal(OomConstraint.Cpuset, m.Killer.ConstrainedAlloc(oc));
        Assert.Equal(500000, oc.TotalPages.Value);              // node 1's present pages, no swap
        // oom_cpuset_eligible: etl (node 0 only) shares no node with current; web (root cpuset, 0-1) does.
        Assert.False(m.Killer.OomCpusetEligible(m.GetTask(200), oc));
        Assert.True(m.Killer.OomCpusetEligible(m.GetTask(300), oc));
    }

    [Fact]
    public void Snapshot_TakesMemoryCgroupUsage_FromUsageInBytes()
    {
        var m = Read(TwoNodeHost());

        Assert.Equal(131072, m.GetCgroup("/app").Usage!.Value.Value);   // 536870912 / 4096
    }
}
