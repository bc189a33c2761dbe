using System.Linq;
using OomTools.Engine.Kernels;
using OomTools.Engine.Killer;
using OomTools.Engine.Log;
using OomTools.Engine.Time;
using Xunit;

namespace OomTools.Engine.Tests.Log;

/// <summary>The kernel log as a bounded ring of records, task rows kept as values and formatted when read.</summary>
public class KernelLogRingTests
{
    private static KernelLog Log(int capacity, int records)
    {
        var log = new KernelLog(new ManualClock(1_000_000_000)) { Capacity = capacity };
        for (int i = 0; i < records; i++) log.Info("line " + i);
        return log;
    }

    [Fact]
    public void KeepsEverythingBelowItsCapacity()
    {
        var log = Log(KernelLog.DefaultCapacity, 1000);
        Assert.Equal(1000, log.Count);
        Assert.Equal(0, log.Dropped);
        Assert.Equal(Enumerable.Range(0, 1000).Select(i => "line " + i), log.Entries.Select(e => e.Text));
    }

    [Fact]
    public void AFullRingOverwritesTheOldestAndCountsEveryRecord()
    {
        var log = Log(3, 5);
        Assert.Equal(5, log.Count);
        Assert.Equal(2, log.Dropped);
        Assert.Equal(new[] { "line 2", "line 3", "line 4" }, log.Entries.Select(e => e.Text));
        Assert.Equal("line 4", log.Last!.Text);
        // Since: what was written after a count, as far as the ring still keeps it.
        Assert.Equal(new[] { "line 2", "line 3", "line 4" }, log.Since(0).Select(e => e.Text));
        Assert.Equal(new[] { "line 4" }, log.Since(4).Select(e => e.Text));
        Assert.Empty(log.Since(5));
    }

    [Fact]
    public void SinceIsACopyAndEntriesIsLive()
    {
        var log = Log(4, 2);
        var since = log.Since(0);
        var live = log.Entries;
        log.Info("line 2");
        Assert.Equal(2, since.Count);
        Assert.Equal(3, live.Count);
    }

    [Fact]
    public void ShrinkingKeepsTheNewest()
    {
        var log = Log(100, 10);
        log.Capacity = 4;
        Assert.Equal(new[] { "line 6", "line 7", "line 8", "line 9" }, log.Entries.Select(e => e.Text));
        log.Info("line 10");
        Assert.Equal(new[] { "line 7", "line 8", "line 9", "line 10" }, log.Entries.Select(e => e.Text));
        Assert.Equal(11, log.Count);
        Assert.Equal(7, log.Dropped);
    }

    [Fact]
    public void AnOomOnMoreTasksThanTheRingHoldsKeepsTheTableTail()
    {
        var m = TestMachines.Machine(ram: 100_000);
        for (int pid = 1; pid <= 50; pid++) m.Add(pid, anon: 100 + pid);
        m.Log.Capacity = 20;
        var o = m.Killer.Invoke(TestMachines.Global());
        Assert.Equal(20, m.Log.Entries.Count);
        Assert.Equal(20, o.Log.Count);
        Assert.True(m.Log.Dropped > 0);
        Assert.Contains(o.Log, e => e.Text.Contains("Killed process 50 (task50)"));
    }

    [Fact]
    public void TheRingsSizeTravelsWithTheMachineFile()
    {
        // log_buf_len is a machine setting: an exported machine keeps its ring's size, and a log larger than the
        // default is read back whole, not cut to the default.
        var small = TestMachines.Machine();
        small.Log.Capacity = 5;
        for (int i = 0; i < 8; i++) small.Log.Info("line " + i);
        var back = OomTools.Engine.Serialization.OomMachineJson.Read(OomTools.Engine.Serialization.OomMachineJson.Write(small));
        Assert.Equal(5, back.Log.Capacity);
        Assert.Equal(new[] { "line 3", "line 4", "line 5", "line 6", "line 7" }, back.Log.Entries.Select(e => e.Text));
        back.Log.Info("line 8");
        Assert.Equal(5, back.Log.Entries.Count);

        var large = TestMachines.Machine();
        large.Log.Capacity = KernelLog.DefaultCapacity + 10;
        for (int i = 0; i < KernelLog.DefaultCapacity + 5; i++) large.Log.Info("x");
        var largeBack = OomTools.Engine.Serialization.OomMachineJson.Read(OomTools.Engine.Serialization.OomMachineJson.Write(large));
        Assert.Equal(KernelLog.DefaultCapacity + 10, largeBack.Log.Capacity);
        Assert.Equal(KernelLog.DefaultCapacity + 5, largeBack.Log.Entries.Count);
    }

    [Fact]
    public void AMachineFileWithoutARingSizeGetsTheDefault()
    {
        var json = OomTools.Engine.Serialization.OomMachineJson.Write(TestMachines.Machine());
        var without = System.Text.RegularExpressions.Regex.Replace(json, "\"logCapacity\":\\s*\\d+,\\s*", "");
        Assert.DoesNotContain("logCapacity", without);
        Assert.Equal(KernelLog.DefaultCapacity, OomTools.Engine.Serialization.OomMachineJson.Read(without).Log.Capacity);
    }

    [Fact]
    public void ATaskRowKeepsTheValuesItWasPrintedWith()
    {
        var m = TestMachines.Machine();
        var t = m.Add(7, anon: 300, file: 20, shmem: 1, swap: 4, pgtables: 8192, adj: 5);
        var expected = OomMessages.TaskRow(7, t, m.Kernel.Era.TaskTable);
        m.Log.TaskRow(m.Kernel.Era.TaskTable, OomMessages.TaskRowValues(7, t));
        t.Mm!.AnonPages = new OomTools.Engine.Units.Pages(1);
        Assert.Equal(expected, m.Log.Last!.Text);
        Assert.Equal("[      7]     0     7      325      321      300       20         1     8192        4             5 task7", expected);
    }

    [Theory]
    [InlineData(TaskTableFormat.RssSplit, "[   9424]     0  9424     6143     4572     3366      950       256    86016        0           -17 python3")]
    [InlineData(TaskTableFormat.PgtablesBytesWidePid, "[   9424]     0  9424     6143     4572    86016        0           -17 python3")]
    [InlineData(TaskTableFormat.PgtablesBytes, "[ 9424]     0  9424     6143     4572    86016        0           -17 python3")]
    public void ARowIsFormattedInItsLayout(TaskTableFormat layout, string text)
    {
        var row = new DumpTaskRow(9424, 0, 9424, 6143, 3366, 950, 256, 86016, 0, -17, "python3");
        var log = new KernelLog(new ManualClock(385_502_398_000));
        log.TaskRow(layout, row);
        Assert.Equal(text, log.Entries[0].Text);
        Assert.Equal("[  385.502398] " + text, log.Entries[0].ToString());
        Assert.Equal(KernelLogLevel.Info, log.Entries[0].Level);
    }
}
