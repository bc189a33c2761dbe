using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using OomTools.Engine;
using OomTools.Engine.Audit;
using OomTools.Engine.Model;
using OomTools.Engine.Writers;

namespace OomTools.Commands;

/// <summary>
/// Export-OomAuditReport: one self-contained HTML page auditing a machine — the ranking as a bar chart, the kill
/// order (Get-OomKillOrder) and the protection of the critical processes (Test-OomProtection). Written to a file
/// under ShouldProcess, or returned as a string when no path is given. The export parameters and the writing
/// come from <see cref="OomExportCmdlet"/>; the OOM-domain parameters are those of <see cref="OomDomainCmdlet"/>.
/// </summary>
[Cmdlet(VerbsData.Export, "OomAuditReport", DefaultParameterSetName = TextSet, SupportsShouldProcess = true)]
[OutputType(typeof(string), ParameterSetName = new[] { TextSet })]
[OutputType(typeof(FileInfo), ParameterSetName = new[] { PathSet, LiteralPathSet })]
public sealed class ExportOomAuditReportCommand : OomExportCmdlet, IOomDomainParameters
{
    /// <summary>The machine to audit; machines can be piped in, each to its own file.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>The page's heading ("OOM audit: NAME" when omitted).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Title { get; set; }

    /// <summary>The critical processes, by name (wildcards allowed): their protection is assessed.</summary>
    [Parameter]
    [SupportsWildcards]
    public string[]? Critical { get; set; }

    /// <summary>Kills shown in the kill order, and kills each critical process must survive.</summary>
    [Parameter]
    [ValidateRange(1, 100_000)]
    public int Kills { get; set; } = 3;

    /// <summary>Bars drawn in the ranking chart (the most points first).</summary>
    [Parameter]
    [ValidateRange(1, 10_000)]
    public int Top { get; set; } = 40;

    // The OOM-domain parameters, as OomDomainCmdlet declares them: this cmdlet's base is the export one.
    // Export-OomAuditReport.Tests.ps1 checks that they stay alike.

    /// <summary>An OOM in this memory cgroup (its limit hit); a global OOM when omitted.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.CgroupPathCompleter))]
    public string? Cgroup { get; set; }

    /// <summary>A mempolicy OOM over these nodes (a node list such as 0 or 0-1).</summary>
    [Parameter]
    public string? Nodemask { get; set; }

    /// <summary>The cpuset the allocation comes from.</summary>
    [Parameter]
    public string? Cpuset { get; set; }

    /// <summary>The allocation's gfp mask (number or flag names).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.GfpFlagCompleter))]
    public string? GfpMask { get; set; }

    /// <summary>The allocating task's pid.</summary>
    [Parameter]
    public int? Current { get; set; }

    /// <summary>
    /// Audits each piped machine and writes its HTML page to the pipeline or the file (the file is checked, and -WhatIf
    /// answered, before the audit runs).
    /// </summary>
    protected override void ProcessRecord()
    {
        Machine = ResolveMachine(Machine);
        // The file is checked (and -WhatIf answered) before the audit runs: an audit can take a while.
        string? full = null;
        if (!ToPipeline)
        {
            full = ResolveTarget();
            if (full is null) return;
            if (!ClaimForOneMachine(full, $"The report of machine '{Machine.Name}' was not written: '{full}' already holds a report from this command. Give each machine its own file.", Machine))
                return;
            if (!ShouldProcess(full, $"Write the OOM audit report of machine '{Machine.Name}' (HTML)")) return;
        }

        string html;
        try
        {
            var critical = new List<OomTask>();
            var missing = new List<string>();
            if (Critical is not null)
            {
                var notFound = new List<OomEngineException>();
                critical = Locked(Machine, () => TaskFilter.Select(Machine, null, Critical, Cgroup, notFound.Add));
                foreach (var e in notFound)
                {
                    missing.Add(e.Target?.ToString() ?? "");
                    WriteError(ToErrorRecord(e));
                }
            }
            WriteProgress(new ProgressRecord(1, "Export-OomAuditReport", $"Auditing {Machine.Name}"));
            html = Locked(Machine, () => AuditReportHtml.Render(Machine, new AuditReportOptions
            {
                Title = Title,
                Request = this.ToRequest(Machine),
                Critical = critical,
                MissingCritical = missing,
                Kills = Kills,
                Top = Top,
                GeneratedAt = DateTimeOffset.UtcNow,
            }));
            WriteProgress(new ProgressRecord(1, "Export-OomAuditReport", "done") { RecordType = ProgressRecordType.Completed });
        }
        catch (Exception ex) when (IsRefusal(ex))
        {
            WriteError(ToErrorRecord(ex, Machine));
            return;
        }

        if (full is null) WriteObject(html);
        else WriteFile(full, html);
    }
}
