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
/// under ShouldProcess, or returned as a string when no path is given.
/// </summary>
[Cmdlet(VerbsData.Export, "OomAuditReport", DefaultParameterSetName = TextSet, SupportsShouldProcess = true)]
[OutputType(typeof(string), ParameterSetName = new[] { TextSet })]
[OutputType(typeof(FileInfo), ParameterSetName = new[] { PathSet, LiteralPathSet })]
public sealed class ExportOomAuditReportCommand : OomDomainCmdlet
{
    private const string TextSet = "Text", PathSet = "Path", LiteralPathSet = "LiteralPath";
    private readonly HashSet<string> written = new(StringComparer.Ordinal);

    [Parameter(Mandatory = true, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>The HTML file to write; wildcards must match exactly one existing file.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    /// <summary>The HTML file to write, taken as written.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = null!;

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

    /// <summary>Replace a read-only file.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter Force { get; set; }

    /// <summary>Never replace an existing file.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Alias("NoOverwrite")]
    public SwitchParameter NoClobber { get; set; }

    /// <summary>Write the file's FileInfo to the pipeline.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        string? full = null;
        if (ParameterSetName != TextSet)
        {
            bool literal = ParameterSetName == LiteralPathSet;
            full = OutputFile.Resolve(this, literal ? LiteralPath : Path, literal, out var pathError);
            if (full is null) { WriteError(pathError!); return; }
            if (!written.Add(full))
            {
                WriteError(new ErrorRecord(new IOException($"The report of machine '{Machine.Name}' was not written: '{full}' already holds a report from this command. Give each machine its own file."),
                    "OneMachinePerFile", ErrorCategory.InvalidOperation, Machine));
                return;
            }
            if (!ShouldProcess(full, $"Write the OOM audit report of machine '{Machine.Name}' (HTML)")) return;
        }

        string html;
        try
        {
            var critical = new List<OomTask>();
            var missing = new List<string>();
            if (Critical is not null)
            {
                critical = TaskFilter.Select(Machine, null, Critical, Cgroup, e =>
                {
                    missing.Add(e.Target?.ToString() ?? "");
                    WriteError(ToErrorRecord(e));
                });
            }
            WriteProgress(new ProgressRecord(1, "Export-OomAuditReport", $"Auditing {Machine.Name}"));
            html = AuditReportHtml.Render(Machine, new AuditReportOptions
            {
                Title = Title,
                Request = Request(),
                Critical = critical,
                MissingCritical = missing,
                Kills = Kills,
                Top = Top,
                GeneratedAt = DateTimeOffset.UtcNow,
            });
            WriteProgress(new ProgressRecord(1, "Export-OomAuditReport", "done") { RecordType = ProgressRecordType.Completed });
        }
        catch (Exception ex) when (ex is OomEngineException or FormatException or ArgumentException)
        {
            WriteError(ToErrorRecord(ex, Machine));
            return;
        }

        if (full is null)
        {
            WriteObject(html);
            return;
        }
        var file = OutputFile.Write(full, html, Force, NoClobber, out var error);
        if (file is null) { WriteError(error!); return; }
        if (PassThru) WriteObject(file);
    }
}
