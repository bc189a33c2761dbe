using System;
using OomTools.Engine.Audit;
using OomTools.Engine.Writers;
using Xunit;

namespace OomTools.Engine.Tests.Writers;

/// <summary>AuditReportHtml: the HTML page of an audit report (Export-OomAuditReport).</summary>
public class AuditReportHtmlTests
{
    [Fact]
    public void Render_OfTheReport_IsThePageOfTheMachine()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 5000, name: "big");
        m.Add(101, anon: 4000, name: "db");
        var options = new AuditReportOptions { Critical = new[] { m.GetTask(101) }, Kills = 1, GeneratedAt = new DateTimeOffset(2024, 5, 6, 7, 8, 9, TimeSpan.FromHours(2)) };

        var report = AuditReport.Build(m, options);
        var html = AuditReportHtml.Render(report);

        Assert.Equal(AuditReportHtml.Render(m, options), html);
        Assert.Equal(html, AuditReportHtml.Render(report));            // rendering changes nothing in the data
        Assert.Contains("<title>OOM audit: test</title>", html, StringComparison.Ordinal);
        Assert.Contains("<footer>OomTools: a simulation of the Linux OOM killer (mm/oom_kill.c) on a model of this machine, not a measurement of it. Generated 2024-05-06 07:08:09 UTC+02:00.</footer>", html, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => AuditReportHtml.Render(null!));
    }

    [Fact]
    public void HtmlReport_EscapesEveryNameAndHasNoScript()
    {
        var m = TestMachines.Machine();
        m.Name = "<b>host</b>";
        m.CreateCgroup("/a&b");
        m.Add(100, anon: 5000, name: "<script>x", cgroup: "/a&b");
        m.Add(101, anon: 4000, name: "\"'><img src=x>");
        m.Add(102, anon: 10, adj: -1000, name: "<svg onload=1>");

        var html = AuditReportHtml.Render(m, new AuditReportOptions
        {
            Title = "<i>title</i>",
            Critical = new[] { m.GetTask(101) },
            MissingCritical = new[] { "<missing>" },
            Kills = 2,
        });

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<b>host", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<i>title", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<missing>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<svg onload", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;x", html, StringComparison.Ordinal);
        Assert.Contains("&quot;&#39;&gt;&lt;img src=x&gt;", html, StringComparison.Ordinal);
        Assert.Contains("/a&amp;b", html, StringComparison.Ordinal);
        Assert.Contains("<svg class=\"chart\"", html, StringComparison.Ordinal);
        Assert.Contains("default-src 'none'", html, StringComparison.Ordinal);
        Assert.DoesNotContain("http://", html.Replace("http://www.w3.org/2000/svg", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
    }

    [Fact]
    public void HtmlReport_ShowsTheKillOrderAndTheVerdicts()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 5000, name: "big");
        m.Add(101, anon: 4000, name: "db");
        m.Add(102, anon: 3000, name: "small");
        m.Add(103, anon: 10, adj: -1000, name: "guard");

        var html = AuditReportHtml.Render(m, new AuditReportOptions { Critical = new[] { m.GetTask(101), m.GetTask(102) }, Kills = 1 });

        var order = OomAudit.KillOrder(m, new OomRequest(), 1);
        Assert.Equal(100, order[0].Pid);
        Assert.Contains("<td class=\"n\">1</td><td class=\"n\">100</td><td>big</td>", html, StringComparison.Ordinal);
        Assert.Contains("2 of 2 protected", html, StringComparison.Ordinal);
        Assert.Contains("oom_score_adj -1000 (OOM_SCORE_ADJ_MIN)", html, StringComparison.Ordinal);
        Assert.Equal(3, CountOf(html, "<rect "));

        var top2 = AuditReportHtml.Render(m, new AuditReportOptions { Top = 2 });
        Assert.Equal(2, CountOf(top2, "<rect "));
        Assert.Contains("The 2 with the most points are drawn; 1 more is not.", top2, StringComparison.Ordinal);
    }

    private static int CountOf(string text, string part)
    {
        int n = 0;
        for (int i = text.IndexOf(part, StringComparison.Ordinal); i >= 0; i = text.IndexOf(part, i + 1, StringComparison.Ordinal)) n++;
        return n;
    }
}
