using System;
using System.Linq;
using OomTools.Engine.Model;
using OomTools.Engine.Writers;
using Xunit;

namespace OomTools.Engine.Tests.Writers;

/// <summary>OpenMetricsText's lexical rules and OomMetrics' exposition, with hand-computed oom_score values.</summary>
public class OomMetricsTests
{
    [Theory]
    [InlineData(null, "")]
    [InlineData("nginx", "nginx")]
    [InlineData("a\\b\"c\nd", "a\\\\b\\\"c\\nd")]
    [InlineData("kworker/0:1 \u00e9", "kworker/0:1 \u00e9")]
    public void EscapeLabelValue(string? value, string expected) => Assert.Equal(expected, OpenMetricsText.EscapeLabelValue(value));

    [Fact]
    public void EscapeHelp_KeepsQuotes() => Assert.Equal("say \"hi\"\\nnow \\\\", OpenMetricsText.EscapeHelp("say \"hi\"\nnow \\"));

    [Theory]
    [InlineData("oomtools_oom_score", true)]
    [InlineData("a:b_c9", true)]
    [InlineData("_x", true)]
    [InlineData("9x", false)]
    [InlineData("a-b", false)]
    [InlineData("", false)]
    public void IsMetricName(string name, bool expected) => Assert.Equal(expected, OpenMetricsText.IsMetricName(name));

    [Fact]
    public void Write_TopProcessesByOomScore_AndTheCriticalOnes_EndingWithEof()
    {
        var m = TestMachines.Machine(ram: 1_000_000);
        m.Add(100, anon: 500_000, name: "big");     // (1000 + 500) * 2 / 3 = 1000
        m.Add(200, anon: 100_000, name: "mid");     // (1000 + 100) * 2 / 3 = 733
        var db = m.Add(300, anon: 10_000, name: "db"); // (1000 + 10) * 2 / 3 = 673
        m.Add(400, anon: 1_000, name: "tiny");

        var text = OomMetrics.Write(m, 1, new[] { db });
        var scores = text.Split('\n').Where(l => l.StartsWith("oomtools_oom_score{", StringComparison.Ordinal)).ToList();

        Assert.Equal(new[]
        {
            "oomtools_oom_score{pid=\"100\",comm=\"big\",cgroup=\"/\"} 1000",
            "oomtools_oom_score{pid=\"300\",comm=\"db\",cgroup=\"/\"} 673",
        }, scores);
        Assert.Contains("oomtools_critical_rank{service=\"db\"} 3\n", text);
        // db is 90000 pages below mid (100000 - 10000 badness points).
        Assert.Contains("oomtools_critical_margin_pages{service=\"db\"} 90000\n", text);
        Assert.Contains("oomtools_critical_margin_bytes{service=\"db\"} 368640000\n", text);
        Assert.EndsWith("\n# EOF\n", text);
        Assert.Equal(0, m.OomKillCount);
    }

    [Fact]
    public void Write_OomKills_IsVmstatPlusTheModelsKills()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 1000);
        Assert.Contains("# TYPE oomtools_oom_kills counter\n", OomMetrics.Write(m, 0, Array.Empty<OomTask>()));
        Assert.Contains("\noomtools_oom_kills_total 0\n", OomMetrics.Write(m, 0, Array.Empty<OomTask>()));
        m.VmstatOomKill = 7;
        Assert.Contains("\noomtools_oom_kills_total 7\n", OomMetrics.Write(m, 0, Array.Empty<OomTask>()));
    }

    [Fact]
    public void Write_NegativeTop_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => OomMetrics.Write(TestMachines.Machine(), -1, Array.Empty<OomTask>()));
}
