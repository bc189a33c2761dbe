using System.Linq;
using OomTools.Engine.Reports;
using Xunit;
using static OomTools.Engine.Tests.Reports.SampleReports;

namespace OomTools.Engine.Tests.Reports;

/// <summary>What Watch-OomEvent needs from the engine: kmsg records read as dmesg lines, an event ended at its kill.</summary>
public class LiveLogTests
{
    [Theory]
    [InlineData("6,173691,14817967788,-;Memory cgroup out of memory: Killed process 1 (a)", "[14817.967788] Memory cgroup out of memory: Killed process 1 (a)")]
    [InlineData("4,5,1000,c,caller=T1;x invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0\n SUBSYSTEM=mem", "[    0.001000] x invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0")]
    public void KmsgRecord_BecomesTheDmesgLine(string record, string line) => Assert.Equal(line, KmsgRecord.ToDmesgLine(record));

    [Theory]
    [InlineData(" SUBSYSTEM=mem")]
    [InlineData("no record")]
    [InlineData("")]
    public void KmsgRecord_DictionaryLinesAndOtherTextAreNotMessages(string record) => Assert.Null(KmsgRecord.ToDmesgLine(record));

    [Fact]
    public void CompleteKilled_EndsTheEventAtItsKill_WithoutWaitingForTheNext()
    {
        var parser = new OomReportParser();
        foreach (var line in Dmesg(EventA)) Assert.Empty(parser.Feed(line));
        Assert.True(parser.HasPendingKill);
        var done = parser.CompleteKilled();
        var whole = ReportInput.ParseLines(Dmesg(EventA)).Single();
        Assert.Equal(whole.SelectedPid, Assert.Single(done).SelectedPid);
        Assert.False(parser.HasPendingKill);
        Assert.Empty(parser.CompleteKilled());
        Assert.Empty(parser.Complete());
    }

    [Fact]
    public void OomWatchEvent_ReplaysTheReportAndNamesTheNextVictim()
    {
        var report = ReportInput.ParseLines(Dmesg(EventA)).Single();
        var ev = OomWatchEvent.From(report, System.DateTime.Now);
        Assert.Equal(report.SelectedPid, ev.KernelVictim);
        Assert.True(ev.Agrees);
        Assert.NotEmpty(ev.Ranking);
        Assert.NotEqual(ev.KernelVictim, ev.NextVictim);
    }
}
