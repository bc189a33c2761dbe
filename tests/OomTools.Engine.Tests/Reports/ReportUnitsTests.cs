using System.Linq;
using OomTools.Engine.Units;
using Xunit;
using static OomTools.Engine.Tests.Reports.SampleReports;

namespace OomTools.Engine.Tests.Reports;

/// <summary>
/// The units a report's numbers carry (kB on the Mem-Info and memcg lines, pages and bytes in the task table) and
/// how the rebuilt machine converts them at the report's page size.
/// </summary>
public class ReportUnitsTests
{
    [Fact]
    public void MemcgLines_AreKibibytes_AndTheKbPropertiesShowTheSameNumbers()
    {
        var r = Assert.Single(ReportInput.ParseLines(Dmesg(EventA)));

        Assert.Equal(new Kibibytes(163840), r.MemcgUsage);
        Assert.Equal(new Kibibytes(163840), r.MemcgLimit);
        Assert.Equal(new Kibibytes(9007199254740988), r.MemswLimit);
        Assert.Equal((163840L, 163840L, 9007199254740988L), (r.MemcgUsageKb!.Value, r.MemcgLimitKb!.Value, r.MemswLimitKb!.Value));
        Assert.Null(r.SwapLimit);
        Assert.Null(r.SwapLimitKb);
    }

    [Fact]
    public void TaskTableRows_ArePagesAndBytes_AndTheColumnPropertiesShowTheSameNumbers()
    {
        var r = Assert.Single(ReportInput.ParseLines(Dmesg(EventA)));
        var row = r.Tasks.First(t => t.Pid == 9424);

        // [   9424]     0  9424     6143     4572     3366      950       256    86016        0             0 python3
        Assert.Equal((new Pages(6143), new Pages(4572), new Pages(3366), new Pages(950), new Pages(256)),
            (row.VirtualSize, row.Resident, row.ResidentAnon!.Value, row.ResidentFile!.Value, row.ResidentShmem!.Value));
        Assert.Equal(new Bytes(86016), row.PageTables);
        Assert.Equal(Pages.Zero, row.Swapped);
        Assert.Equal((6143L, 4572L, 86016L, 0L), (row.TotalVm, row.Rss, row.PgtablesBytes!.Value, row.SwapEnts));
        Assert.Equal(new Bytes(86016), row.PageTableSize(4096));
    }

    [Fact]
    public void OldLayoutsPageTableColumns_AreConvertedToBytesAtThePageSize()
    {
        var report = Assert.Single(ReportInput.ParseLines(new[]
        {
            "[ pid ]   uid  tgid total_vm      rss nr_ptes nr_pmds swapents oom_score_adj name",
            "[ 1000]     0  1000     9000     4000      14       2        0             0 java",
        }));
        var row = Assert.Single(report.Tasks);

        Assert.Equal((new Pages(14), new Pages(2)), (row.PteTables!.Value, row.PmdTables!.Value));
        Assert.Null(row.PageTables);
        Assert.Equal(new Bytes(16 * 4096), row.PageTableSize(4096));
        Assert.Equal(new Bytes(16 * 65536), row.PageTableSize(65536));
    }

    [Fact]
    public void A64KiBReport_ConvertsTheLimitLinesAt64KiBPages()
    {
        // The victim's total-vm: 9215 pages * 64 kB = 589760 kB: the report was written on 64 KiB pages.
        var lines = Replace(EventA, "total-vm:36860kB", "total-vm:589760kB");

        var r = Assert.Single(ReportInput.ParseLines(Dmesg(lines)));
        var m = r.Machine!;
        var cg = m.FindCgroup("/lab/oomlab-9382-1000")!;

        Assert.Equal(65536, m.PageSize);
        Assert.Equal(new Pages(2560), cg.MemoryMax);          // 163840 kB / 64
        Assert.Equal(new Pages(2560), cg.Usage);
        Assert.Equal(m.PageCounterMax, cg.MemswMax);          // 9007199254740988 kB / 64 is above LONG_MAX / 65536
        Assert.Equal(86016, m.GetTask(9424).PageTableBytes);  // bytes stay bytes at any page size
    }

    [Fact]
    public void RowsTooLargeToAddUp_MakeTheEventNotReplayable_WithoutThrowing()
    {
        // Two rss values of 9e18 pages: their sum (the RAM a memcg report's machine is given) does not fit a long.
        var lines = Replace(Replace(EventA, "6143     4572", "6143 9000000000000000000"), "28671    27001", "28671 9000000000000000000");

        var r = Assert.Single(ReportInput.ParseLines(Dmesg(lines)));

        Assert.Null(r.Machine);
        Assert.False(r.Replayable);
        Assert.Contains("does not fit a 64-bit count", r.NotReplayableReason);
        Assert.Equal(9000000000000000000, r.Tasks.First(t => t.Pid == 9424).Rss);
    }
}
