using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>
/// Hand-computed tables for mm/oom_kill.c <c>oom_badness()</c> and <c>select_bad_process()</c>:
/// <c>points = get_mm_rss + MM_SWAPENTS + pgtables_bytes / PAGE_SIZE; adj *= totalpages / 1000; points += adj</c>,
/// LONG_MIN for the tasks that must never be chosen.
/// </summary>
public class BadnessTableTests
{
    private const long LongMin = long.MinValue;

    // id, totalpages, anon, file, shmem, swapents, pgtables_bytes, adj, flags, expected points
    [Theory]
    // adj scaling: totalpages / 1000 is computed first (integer division)
    [InlineData("B01 total 999: adj +1000 has no effect", 999, 100, 0, 0, 0, 0, 1000, "", 100)]
    [InlineData("B02 total 999: adj -999 has no effect", 999, 100, 0, 0, 0, 0, -999, "", 100)]
    [InlineData("B03 total 1: adj +1000 has no effect", 1, 7, 0, 0, 0, 0, 1000, "", 7)]
    [InlineData("B04 total 1000: adj +1 adds 1 page", 1000, 100, 0, 0, 0, 0, 1, "", 101)]
    [InlineData("B05 total 1000: adj -100 cancels 100 pages", 1000, 100, 0, 0, 0, 0, -100, "", 0)]
    [InlineData("B06 total 1000: adj -101 goes negative", 1000, 100, 0, 0, 0, 0, -101, "", -1)]
    [InlineData("B07 total 1999: factor is still 1", 1999, 100, 0, 0, 0, 0, 1, "", 101)]
    [InlineData("B08 total 1999: adj 500 adds 500", 1999, 100, 0, 0, 0, 0, 500, "", 600)]
    [InlineData("B09 total 2000: factor 2", 2000, 100, 0, 0, 0, 0, 1, "", 102)]
    [InlineData("B10 total 2000: adj 500 adds 1000", 2000, 100, 0, 0, 0, 0, 500, "", 1100)]
    [InlineData("B11 total 2000: adj -999 makes points negative", 2000, 100, 0, 0, 0, 0, -999, "", -1898)]
    [InlineData("B12 total 2999: factor truncates to 2", 2999, 100, 0, 0, 0, 0, 3, "", 106)]
    [InlineData("B13 total 12345: factor 12", 12345, 100, 0, 0, 0, 0, 7, "", 184)]
    [InlineData("B14 total 1e6: adj -10 below rss", 1_000_000, 5000, 0, 0, 0, 0, -10, "", -5000)]
    [InlineData("B15 total 1e6: empty mm, adj -999", 1_000_000, 0, 0, 0, 0, 0, -999, "", -999_000)]
    [InlineData("B16 total 1e6: adj +1000", 1_000_000, 1000, 0, 0, 0, 0, 1000, "", 1_001_000)]
    [InlineData("B17 total 1000999: factor 1000", 1_000_999, 10, 0, 0, 0, 0, 1000, "", 1_000_010)]
    [InlineData("B31 total 1e6: adj -999 is still killable", 1_000_000, 100, 0, 0, 0, 0, -999, "", -998_900)]
    // what is counted: anon + file + shmem + swap entries + page-table pages (bytes / 4096, truncated)
    [InlineData("B18 rss is anon+file+shmem", 1_000_000, 3, 2, 1, 0, 0, 0, "", 6)]
    [InlineData("B19 swap entries counted", 1_000_000, 100, 0, 0, 50, 0, 0, "", 150)]
    [InlineData("B20 4095 pgtable bytes are 0 pages", 1_000_000, 10, 0, 0, 0, 4095, 0, "", 10)]
    [InlineData("B21 4096 pgtable bytes are 1 page", 1_000_000, 10, 0, 0, 0, 4096, 0, "", 11)]
    [InlineData("B22 8191 pgtable bytes are 1 page", 1_000_000, 10, 0, 0, 0, 8191, 0, "", 11)]
    [InlineData("B23 8192 pgtable bytes are 2 pages", 1_000_000, 10, 0, 0, 0, 8192, 0, "", 12)]
    [InlineData("B24 memcg-1000 pid 9433 (limit 40960 pages)", 40960, 5158, 952, 0, 0, 98304, 929, "", 43294)]
    [InlineData("B25 memcg-1000 pid 9434 (limit 40960 pages)", 40960, 4390, 983, 512, 0, 139264, 469, "", 24679)]
    [InlineData("B26 memcg-1000 pid 9442 (limit 40960 pages)", 40960, 26054, 947, 0, 0, 266240, 0, "", 27066)]
    // LONG_MIN: never chosen
    [InlineData("B40 global init", 1_000_000, 100, 0, 0, 0, 0, 0, "init", LongMin)]
    [InlineData("B41 pid 1 is global init by default", 1_000_000, 100, 0, 0, 0, 0, 0, "pid1", LongMin)]
    [InlineData("B42 pid 1 of a container is not global init", 1_000_000, 100, 0, 0, 0, 0, 0, "pid1+notinit", 100)]
    [InlineData("B43 kernel thread", 1_000_000, 100, 0, 0, 0, 0, 0, "kthread", LongMin)]
    [InlineData("B44 every thread detached its mm", 1_000_000, 100, 0, 0, 0, 0, 0, "detached", LongMin)]
    [InlineData("B45 leader detached, a thread still holds the mm", 1_000_000, 100, 0, 0, 0, 0, 0, "leaderdetached", 100)]
    [InlineData("B46 oom_score_adj -1000", 1_000_000, 100, 0, 0, 0, 0, -1000, "", LongMin)]
    [InlineData("B47 oom_score_adj -1000 with a small total", 999, 100, 0, 0, 0, 0, -1000, "", LongMin)]
    [InlineData("B48 MMF_OOM_SKIP", 1_000_000, 100, 0, 0, 0, 0, 0, "oomskip", LongMin)]
    [InlineData("B49 in vfork", 1_000_000, 100, 0, 0, 0, 0, 0, "vfork", LongMin)]
    // states oom_badness itself does not look at
    [InlineData("B50 OOM origin is scored normally by oom_badness", 1_000_000, 100, 0, 0, 0, 0, 0, "origin", 100)]
    [InlineData("B51 exiting task is scored", 1_000_000, 100, 0, 0, 0, 0, 0, "exiting+groupexit", 100)]
    [InlineData("B52 earlier OOM victim is scored by oom_badness", 1_000_000, 100, 0, 0, 0, 0, 0, "victim", 100)]
    [InlineData("B53 core dumping task is scored", 1_000_000, 100, 0, 0, 0, 0, 0, "coredump", 100)]
    public void OomBadness_Table(string id, long totalPages, long anon, long file, long shmem, long swap, long pgtables,
        int adj, string flags, long expected)
    {
        Assert.False(string.IsNullOrEmpty(id));
        var m = TestMachines.Machine(ram: 2_000_000);
        var flagList = flags.Split('+').ToList();
        int pid = flagList.Remove("pid1") ? 1 : 100;
        var task = m.Add(pid, anon: anon, file: file, shmem: shmem, swap: swap, pgtables: pgtables, adj: adj,
            with: s => TestMachines.ApplyFlags(s, flagList));

        Assert.Equal(expected, m.Killer.OomBadness(task, new Pages(totalPages)));
    }

    [Theory]
    [InlineData(16383, 10)]
    [InlineData(16384, 11)]
    [InlineData(32768, 12)]
    [InlineData(4096, 10)]
    public void OomBadness_PageTableBytesDivideByTheMachinesPageSize(long pgtables, long expected)
    {
        var m = TestMachines.Machine(ram: 100_000, pageSize: 16384);
        var task = m.Add(100, anon: 10, pgtables: pgtables);

        Assert.Equal(expected, m.Killer.OomBadness(task, new Pages(100_000)));
    }

    // id, totalpages (RAM, no swap), order, tasks (pid:rss:adj[:flags]), expected "pid/points" | "abort/pid" | "none"
    [Theory]
    [InlineData("S01 tie goes to the later task", 1_000_000, 0, "100:500:0 101:500:0", "101/500")]
    [InlineData("S02 tie with a smaller one between", 1_000_000, 0, "100:500:0 101:400:0 102:500:0", "102/500")]
    [InlineData("S03 one page more wins over a later task", 1_000_000, 0, "100:501:0 101:500:0", "100/501")]
    [InlineData("S04 positive adj lifts a smaller task", 1_000_000, 0, "100:5000:0 101:1000:5", "101/6000")]
    [InlineData("S05 negative adj sinks a larger task", 1_000_000, 0, "100:5000:-1 101:4500:0", "101/4500")]
    [InlineData("S06 adj -1000 is never chosen", 1_000_000, 0, "100:90000:-1000 101:10:0", "101/10")]
    [InlineData("S07 negative points are still chosen", 1_000_000, 0, "100:10:-500", "100/-499990")]
    [InlineData("S08 the less negative one wins", 1_000_000, 0, "100:10:-500 101:10:-400", "101/-399990")]
    [InlineData("S09 init, kthread, -1000: nothing to choose", 1_000_000, 0, "1:500:0:init 2:500:0:kthread 100:500:-1000", "none")]
    [InlineData("S10 earlier victim still exiting aborts", 1_000_000, 0, "100:10:0:victim 101:5000:0", "abort/100")]
    [InlineData("S11 victim after the best so far still aborts", 1_000_000, 0, "100:5000:0 101:10:0:victim", "abort/101")]
    [InlineData("S12 reaped victim (MMF_OOM_SKIP) is skipped", 1_000_000, 0, "100:90000:0:victim+oomskip 101:5000:0", "101/5000")]
    [InlineData("S13 SysRq does not abort on a victim", 1_000_000, -1, "100:10:0:victim 101:5000:0", "101/5000")]
    [InlineData("S14 SysRq may choose the old victim again", 1_000_000, -1, "100:9000:0:victim 101:5000:0", "100/9000")]
    [InlineData("S15 SysRq skips a reaped victim by its LONG_MIN", 1_000_000, -1, "100:9000:0:victim+oomskip 101:5:0", "101/5")]
    [InlineData("S16 OOM origin beats a huge task", 1_000_000, 0, "100:900000:0 101:1:0:origin", "101/9223372036854775807")]
    [InlineData("S17 OOM origin first, later huge task loses", 1_000_000, 0, "100:1:0:origin 101:900000:0", "100/9223372036854775807")]
    [InlineData("S18 two OOM origins: the later", 1_000_000, 0, "100:1:0:origin 101:2:0:origin 102:3:0", "101/9223372036854775807")]
    [InlineData("S19 OOM origin is chosen before its adj -1000 is looked at", 1_000_000, 0, "100:1:-1000:origin 101:5000:0", "100/9223372036854775807")]
    [InlineData("S20 OOM origin kernel thread is still unkillable", 1_000_000, 0, "2:1:0:kthread+origin 101:5:0", "101/5")]
    [InlineData("S21 vfork child is skipped", 1_000_000, 0, "100:9000:0:vfork 101:5:0", "101/5")]
    [InlineData("S22 process without mm is skipped", 1_000_000, 0, "100:9000:0:detached 102:5:0", "102/5")]
    [InlineData("S23 total 999: adj ignored", 999, 0, "100:100:1000 101:101:0", "101/101")]
    [InlineData("S24 total 1000: adj +2 adds 2 pages", 1000, 0, "100:100:2 101:101:0", "100/102")]
    [InlineData("S25 total 1999: adj +1 makes a tie, later wins", 1999, 0, "100:100:1 101:101:0", "101/101")]
    [InlineData("S26 total 2000: adj +1 adds 2 pages", 2000, 0, "100:100:1 101:101:0", "100/102")]
    [InlineData("S27 swap entries decide", 1_000_000, 0, "100:100:0 101:60:0:swap=41", "101/101")]
    [InlineData("S28 a full page-table page makes a tie", 1_000_000, 0, "100:100:0 101:99:0:pgt=4096", "101/100")]
    [InlineData("S29 4095 page-table bytes do not", 1_000_000, 0, "100:100:0 101:99:0:pgt=4095", "100/100")]
    [InlineData("S30 exiting (not yet victim) task is chosen normally", 1_000_000, 0, "100:9000:0:groupexit 101:5:0", "100/9000")]
    [InlineData("S31 global init with the most memory is passed over", 1_000_000, 0, "1:900000:0 100:5:0", "100/5")]
    public void SelectBadProcess_Table(string id, long ram, int order, string tasks, string expected)
    {
        Assert.False(string.IsNullOrEmpty(id));
        var m = TestMachines.Machine(ram: ram);
        m.AddFromTable(tasks);
        var oc = new OomControl { Order = order, GfpMask = GfpMask.Kernel };
        m.Killer.ConstrainedAlloc(oc);
        Assert.Equal(ram, oc.TotalPages.Value);

        m.Killer.SelectBadProcess(oc);

        var parts = expected.Split('/');
        switch (parts[0])
        {
            case "none":
                Assert.Null(oc.Chosen);
                Assert.False(oc.Aborted);
                break;
            case "abort":
                Assert.True(oc.Aborted);
                Assert.Null(oc.Chosen);
                Assert.Equal(int.Parse(parts[1]), oc.AbortedBy!.Pid);
                break;
            default:
                Assert.False(oc.Aborted);
                Assert.NotNull(oc.Chosen);
                Assert.Equal(int.Parse(parts[0]), oc.Chosen!.Pid);
                Assert.Equal(long.Parse(parts[1]), oc.ChosenPoints);
                break;
        }
    }
}
