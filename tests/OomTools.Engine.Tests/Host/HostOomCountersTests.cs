using System.Linq;
using OomTools.Engine.Host;
using Xunit;

namespace OomTools.Engine.Tests.Host;

/// <summary>
/// The OOM counters a snapshot reads from cgroupfs: v1 <c>memory.oom_control</c> (oom_kill_disable, under_oom,
/// oom_kill, as mem_cgroup_oom_control_read prints them) and v2 <c>memory.events</c> (oom, oom_kill, oom_group_kill).
/// </summary>
public class HostOomCountersTests
{
    private static OomTools.Engine.Model.OomMachine Read(FakeHostFileSystem fs) =>
        HostSnapshot.Read(new HostSnapshotOptions { FileSystem = fs, CgroupRoot = "/sys/fs/cgroup", PageSize = 4096, Name = "fake" }, _ => { });

    private static void Process(FakeHostFileSystem fs, int pid, string cgroupLine)
    {
        fs.File($"/proc/{pid}/status", ProcText.Status(pid, "app", new ProcText.Vm(4000, 2000, 0, 0, 8, 0)));
        fs.File($"/proc/{pid}/stat", ProcText.Stat(pid, "app", 0x400100, 10));
        fs.File($"/proc/{pid}/oom_score_adj", "0\n");
        fs.File($"/proc/{pid}/cgroup", cgroupLine);
    }

    [Fact]
    public void V1_MemoryOomControl_GivesOomKillDisableUnderOomAndOomKill()
    {
        var fs = new FakeHostFileSystem();
        fs.File("/proc/meminfo", ProcText.Meminfo(4000000, 0));
        fs.File("/sys/fs/cgroup/memory/memory.limit_in_bytes", "9223372036854771712\n");
        fs.File("/sys/fs/cgroup/memory/lab/memory.limit_in_bytes", "67108864\n");
        fs.File("/sys/fs/cgroup/memory/lab/memory.oom_control", "oom_kill_disable 1\nunder_oom 1\noom_kill 3\n");
        Process(fs, 100, "4:memory:/lab\n");

        var lab = Read(fs).GetCgroup("/lab");

        Assert.True(lab.OomKillDisable);
        Assert.True(lab.UnderOom);
        Assert.Equal(3, lab.OomKill);
    }

    [Fact]
    public void V2_MemoryEvents_GivesOomOomKillAndOomGroupKill()
    {
        var fs = new FakeHostFileSystem();
        fs.File("/proc/meminfo", ProcText.Meminfo(4000000, 0));
        fs.File("/sys/fs/cgroup/cgroup.controllers", "cpu memory pids\n");
        fs.File("/sys/fs/cgroup/pod/memory.max", "268435456\n");
        fs.File("/sys/fs/cgroup/pod/memory.events", "low 0\nhigh 0\nmax 12\noom 5\noom_kill 4\noom_group_kill 1\n");
        Process(fs, 100, "0::/pod\n");

        var pod = Read(fs).GetCgroup("/pod");

        Assert.Equal((5L, 4L, 1L), (pod.Oom, pod.OomKill, pod.OomGroupKill));
        Assert.False(pod.OomKillDisable);   // v2 has no oom_kill_disable
    }

    [Fact]
    public void ProcVmstat_OomKill_IsOnTheMachine()
    {
        var fs = new FakeHostFileSystem();
        fs.File("/proc/meminfo", ProcText.Meminfo(4000000, 0));
        fs.File("/proc/vmstat", "nr_free_pages 12345\noom_kill_x 9\noom_kill 17\nnuma_hit 1\n");
        Process(fs, 100, "0::/\n");

        Assert.Equal(17L, Read(fs).VmstatOomKill);
    }

    [Fact]
    public void NoProcVmstat_LeavesVmstatOomKillNull()
    {
        var fs = new FakeHostFileSystem();
        fs.File("/proc/meminfo", ProcText.Meminfo(4000000, 0));
        Process(fs, 100, "0::/\n");

        Assert.Null(Read(fs).VmstatOomKill);
    }

    [Fact]
    public void MissingCounterFiles_LeaveTheCountersAtZero()
    {
        var fs = new FakeHostFileSystem();
        fs.File("/proc/meminfo", ProcText.Meminfo(4000000, 0));
        fs.File("/sys/fs/cgroup/cgroup.controllers", "memory\n");
        fs.File("/sys/fs/cgroup/pod/memory.max", "max\n");
        Process(fs, 100, "0::/pod\n");

        var pod = Read(fs).GetCgroup("/pod");

        Assert.Equal((0L, 0L, 0L), (pod.Oom, pod.OomKill, pod.OomGroupKill));
    }
}
