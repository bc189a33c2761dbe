namespace OomTools.Engine.Writers;

/// <summary>
/// The audit report's style sheet, inline in the page (its Content-Security-Policy lets nothing be fetched):
/// cards, the bar chart, the tables, the folded row of processes never chosen. Apart from the writer so the markup reads without it.
/// </summary>
internal static class AuditReportCss
{
    /// <summary>The page's whole style sheet.</summary>
    public const string Text = @"*{box-sizing:border-box}
body{margin:0;background:#f8fafc;color:#0f172a;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif}
main{max-width:1100px;margin:0 auto;padding:24px}
header{border-bottom:3px solid #0f172a;margin-bottom:16px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:19px;margin:28px 0 6px;border-bottom:1px solid #cbd5e1;padding-bottom:4px}
h3{font-size:15px;margin:18px 0 6px}
.machine{margin:0 0 10px;color:#334155}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}
.card{flex:1 1 200px;background:#fff;border:1px solid #cbd5e1;border-left:6px solid #64748b;border-radius:6px;padding:10px 12px}
.card.good{border-left-color:#16a34a;background:#f0fdf4}
.card.bad{border-left-color:#c0392b;background:#fef2f2}
.card .k{font-size:12px;text-transform:uppercase;letter-spacing:.05em;color:#475569}
.card .v{font-size:17px}
.card small{font-size:12px;color:#475569}
.note{color:#475569;margin:4px 0 8px}
.warn{background:#fff7ed;border:1px solid #fb923c;border-radius:6px;padding:8px 12px}
.legend{margin:4px 0}
.swatch{display:inline-block;width:12px;height:12px;border-radius:2px;margin:0 4px 0 10px;vertical-align:-1px}
.chart{display:block;max-width:100%;height:auto;background:#fff;border:1px solid #cbd5e1;border-radius:6px}
.chart .label{font-size:12px;fill:#0f172a}
.chart .value{font-size:11px;fill:#334155}
.chart .head{font-size:11px;font-weight:600;fill:#475569}
table.folded{margin-top:12px}
table.folded>tbody>tr>td{padding:0}
summary{cursor:pointer;padding:8px 10px;color:#334155}
details[open] summary{border-bottom:1px solid #e2e8f0}
details table{border:0}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #cbd5e1}
th,td{padding:5px 8px;border-bottom:1px solid #e2e8f0;text-align:left;vertical-align:top}
th{background:#e2e8f0;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
tbody tr:nth-child(even){background:#f8fafc}
tr.hit td{background:#fee2e2}
.ok{color:#15803d;font-weight:600}
.bad{color:#b91c1c;font-weight:600}
footer{margin-top:28px;color:#64748b;font-size:12px}
";
}
