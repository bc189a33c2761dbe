using System.Linq;
using OomTools.Engine.Reports;
using Xunit;

namespace OomTools.Engine.Tests.Reports;

/// <summary>dump_tasks' header and rows in every layout from 2.6.32 to 6.8+.</summary>
public class TaskTableLayoutTests
{
    private static OomReportTask Row(string header, string row)
    {
        var layout = TaskTableLayout.FromHeader(header);
        Assert.NotNull(layout);
        var parsed = layout!.ParseRow(row, 42);
        Assert.NotNull(parsed);
        Assert.Equal(42, parsed!.LineNumber);
        return parsed;
    }

    [Fact]
    public void Layout2632_CpuAndOomAdjColumns()
    {
        const string header = "[ pid ]   uid  tgid total_vm      rss cpu oom_adj oom_score_adj name";
        var t = Row(header, "[  549]     0   549     2662      118   1     -17         -1000 udevd");

        Assert.Equal(new[] { "uid", "tgid", "total_vm", "rss", "cpu", "oom_adj", "oom_score_adj", "name" }, TaskTableLayout.FromHeader(header)!.Columns.ToArray());
        Assert.Equal((549, 0, 549, 2662L, 118L), (t.Pid, t.Uid, t.Tgid, t.TotalVm, t.Rss));
        Assert.Equal(1, t.Cpu);
        Assert.Equal(-17, t.OomAdj);
        Assert.Equal(-1000, t.OomScoreAdj);
        Assert.Equal("udevd", t.Name);
        Assert.Null(t.NrPtes);
        Assert.Null(t.PgtablesBytes);
        Assert.Null(t.RssAnon);
        Assert.Equal(0, t.SwapEnts);
        Assert.Equal(0, t.PageTableSize(4096).Value);
    }

    [Fact]
    public void Layout3x_NrPtesCountsPageTablePages()
    {
        var t = Row("[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name",
            "[22041]  9730 22041    29616      971      14      322           600 bash");

        Assert.Equal((22041, 9730, 22041, 29616L, 971L), (t.Pid, t.Uid, t.Tgid, t.TotalVm, t.Rss));
        Assert.Equal(14, t.NrPtes);
        Assert.Null(t.NrPmds);
        Assert.Equal(322, t.SwapEnts);
        Assert.Equal(600, t.OomScoreAdj);
        Assert.Equal("bash", t.Name);
        Assert.Equal(14 * 4096, t.PageTableSize(4096).Value);
        Assert.Null(t.Cpu);
        Assert.Null(t.OomAdj);
    }

    [Fact]
    public void Layout40_NrPtesAndNrPmdsAddUp()
    {
        var t = Row("[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name",
            "[ 4342]     0  4342   314556   191159     619       4   119808             0 resvtest");

        Assert.Equal(619, t.NrPtes);
        Assert.Equal(4, t.NrPmds);
        Assert.Equal(119808, t.SwapEnts);
        Assert.Equal(191159, t.Rss);
        Assert.Equal("resvtest", t.Name);
        Assert.Equal((619 + 4) * 4096, t.PageTableSize(4096).Value);
    }

    [Fact]
    public void Layout415_PgtablesBytesWithTheNarrowPidColumn()
    {
        var t = Row("[ pid ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
            "[  651]     0   651    27005     5232   106496        0             0 unattended-upgr");

        Assert.Equal(651, t.Pid);
        Assert.Equal(106496, t.PgtablesBytes);
        Assert.Null(t.NrPtes);
        Assert.Equal(106496, t.PageTableSize(4096).Value);
        Assert.Equal("unattended-upgr", t.Name);
    }

    [Fact]
    public void Layout419_SevenWidePidColumnAndWidePidsThatFillIt()
    {
        const string header = "[  pid  ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name";
        var t = Row(header, "[3902942]  1000 3902942  3685044  3195335 27021312        0             0 php-fpm");

        Assert.Equal((3902942, 1000, 3902942), (t.Pid, t.Uid, t.Tgid));
        Assert.Equal(3195335, t.Rss);
        Assert.Equal(27021312, t.PgtablesBytes);
        Assert.Equal("php-fpm", t.Name);
    }

    [Fact]
    public void Layout68_RssSplitIntoAnonFileShmem()
    {
        var t = Row(SampleReports.Header68,
            "[    996]  1000   996   747929    30557    30557        0         0  1183744    31936             0 python");

        Assert.Equal(new[] { "uid", "tgid", "total_vm", "rss", "rss_anon", "rss_file", "rss_shmem", "pgtables_bytes", "swapents", "oom_score_adj", "name" },
            TaskTableLayout.FromHeader(SampleReports.Header68)!.Columns.ToArray());
        Assert.Equal((996, 1000, 996, 747929L, 30557L), (t.Pid, t.Uid, t.Tgid, t.TotalVm, t.Rss));
        Assert.Equal((30557L, 0L, 0L), (t.RssAnon!.Value, t.RssFile!.Value, t.RssShmem!.Value));
        Assert.Equal(1183744, t.PgtablesBytes);
        Assert.Equal(31936, t.SwapEnts);
        Assert.Equal("python", t.Name);
    }

    [Theory]
    [InlineData("[   4711]  1000  4711   600000   120000   110000    10000         0  2000000        0           100 Isolated Web Co", "Isolated Web Co")]
    [InlineData("[   4712]  1000  4712     5975       64        4       60         0    69632      384           100 (sd-pam)", "(sd-pam)")]
    [InlineData("[   4713]     0  4713        0        0        0        0         0        0        0             0 kworker/u8:2", "kworker/u8:2")]
    [InlineData("[   4714]  1000  4714     1000      100      100        0         0    40960        0             0 a  b c   ", "a  b c")]
    public void Row_NameKeepsItsInnerSpacesAndLosesTrailingOnes(string row, string name)
    {
        Assert.Equal(name, Row(SampleReports.Header68, row).Name);
    }

    [Theory]
    [InlineData("[   9425]     0  9425     7423     5852     4646")]
    [InlineData("[   9425]     0  9425     7423     5852     4646      950       256    98304        0           187")]
    [InlineData("[   9425]     0  9425     7423     5852     4646      950       256    98304        0           187 ")]
    [InlineData("[   9425")]
    [InlineData("[ garbage]     0  9425     7423     5852     4646      950       256    98304        0           187 python3")]
    [InlineData("[   9425]     0  9425     7423     58x2     4646      950       256    98304        0           187 python3")]
    [InlineData("[   9425]     0  9425     7423 99999999999999999999     4646      950       256    98304        0           187 python3")]
    [InlineData("[99999999999]     0  9425     7423     5852     4646      950       256    98304        0           187 python3")]
    public void Row_ACutOrGarbledRowDoesNotParse(string row)
    {
        Assert.Null(TaskTableLayout.FromHeader(SampleReports.Header68)!.ParseRow(row, 1));
    }

    [Theory]
    [InlineData("[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj")]        // no name column
    [InlineData("[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name extra")]
    [InlineData("[ pid ]   uid  tgid total_vm      rss bogus swapents oom_score_adj name")]
    [InlineData("[  pid  ]")]
    [InlineData("[ tid ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name")]
    [InlineData("   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name")]
    [InlineData("[   9424]     0  9424     6143     4572     3366      950       256    86016        0             0 python3")]
    public void Header_AnythingButAKnownHeaderIsNotOne(string header)
    {
        Assert.Null(TaskTableLayout.FromHeader(header));
    }

    public static TheoryData<string, string, string, int, long> ErasThroughTheParser() => new()
    {
        // header, first row, column list, pid, page-table bytes at 4 KiB pages
        { "[ pid ]   uid  tgid total_vm      rss cpu oom_adj oom_score_adj name",
          "[ 1185]     0  1185    62991     1252   0       0             0 rsyslogd",
          "uid tgid total_vm rss cpu oom_adj oom_score_adj name", 1185, 0 },
        { "[ pid ]   uid  tgid total_vm      rss nr_ptes swapents oom_score_adj name",
          "[22040]     0 22040    51698     1729      57       10             0 su",
          "uid tgid total_vm rss nr_ptes swapents oom_score_adj name", 22040, 57 * 4096 },
        { "[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name",
          "[ 1204]     0  1204     6039        1      15       3      163         -1000 udevd",
          "uid tgid total_vm rss nr_ptes nr_pmds swapents oom_score_adj name", 1204, 18 * 4096 },
        { "[ pid ]   uid  tgid total_vm      rss pgtables_bytes swapents oom_score_adj name",
          "[  199]     0   199    14838      226   102400       14          -250 systemd-journal",
          "uid tgid total_vm rss pgtables_bytes swapents oom_score_adj name", 199, 102400 },
        { SampleReports.Header68,
          "[    266]     0   266     7206       50       32       18         0    69632      256          -250 systemd-journal",
          "uid tgid total_vm rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name", 266, 69632 },
    };

    [Theory]
    [MemberData(nameof(ErasThroughTheParser))]
    public void Parser_ReadsEachErasTableWithACutRowSkipped(string header, string row, string columns, int pid, long pageTableBytes)
    {
        var lines = new[]
        {
            "x invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0",
            header,
            row,
            row.Substring(0, 30),                      // cut by the log collector
            row,                                       // the rows after a cut one still count
            "Out of memory: Killed process 1 (init)",
        };

        var report = Assert.Single(ReportInput.ParseLines(SampleReports.Dmesg(lines)));

        Assert.Equal(columns, string.Join(" ", report.TaskTableColumns!));
        Assert.Equal(2, report.Tasks.Count);
        Assert.Equal(new[] { pid, pid }, report.Tasks.Select(t => t.Pid).ToArray());
        Assert.Equal(pageTableBytes, report.Tasks[0].PageTableSize(4096).Value);
        Assert.Equal(3, report.Tasks[0].LineNumber);
        Assert.Equal(5, report.Tasks[1].LineNumber);
    }
}
