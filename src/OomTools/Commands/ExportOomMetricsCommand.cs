using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using OomTools.Engine;
using OomTools.Engine.Model;
using OomTools.Engine.Writers;

namespace OomTools.Commands;

/// <summary>
/// Export-OomMetrics: a machine as OpenMetrics text for node_exporter's textfile collector (per-process
/// oom_score, the critical services' rank and margin, the OOM kill counters). Without a path the text goes to the
/// pipeline; with -Path or -LiteralPath it is written atomically (a temporary file in the same folder, then a
/// rename), so the collector never reads half a file.
/// </summary>
[Cmdlet(VerbsData.Export, "OomMetrics", DefaultParameterSetName = OomExportCmdlet.TextSet, SupportsShouldProcess = true)]
[OutputType(typeof(string), ParameterSetName = new[] { OomExportCmdlet.TextSet })]
[OutputType(typeof(FileInfo), ParameterSetName = new[] { OomExportCmdlet.PathSet, OomExportCmdlet.LiteralPathSet })]
public sealed class ExportOomMetricsCommand : OomExportCmdlet
{
    /// <summary>The machine to export (Get-OomSnapshot gives the host's); machines can be piped in, each to its own file.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>The critical processes, by name (wildcards allowed): their oom_score, rank and margin are exported.</summary>
    [Parameter]
    [SupportsWildcards]
    public string[]? Critical { get; set; }

    /// <summary>How many processes with the highest oom_score get an oom_score sample (the critical ones always do).</summary>
    [Parameter]
    [ValidateRange(0, 100_000)]
    public int Top { get; set; } = 20;

    /// <summary>Writes each piped machine's metrics to the pipeline or the file.</summary>
    protected override void ProcessRecord()
    {
        Machine = ResolveMachine(Machine);
        string text;
        try
        {
            var critical = new List<OomTask>();
            if (Critical is not null)
            {
                var notFound = new List<OomEngineException>();
                critical = Locked(Machine, () => TaskFilter.Select(Machine, null, Critical, null, notFound.Add));
                foreach (var e in notFound) WriteError(ToErrorRecord(e));
            }
            text = Locked(Machine, () => OomMetrics.Write(Machine, Top, critical));
        }
        catch (Exception ex) when (ex is OomEngineException or ArgumentException)
        {
            WriteError(ToErrorRecord(ex, Machine));
            return;
        }
        if (ToPipeline) { WriteObject(text); return; }

        var full = ResolveTarget();
        if (full is null) return;
        if (!ClaimForOneMachine(full, $"Machine '{Machine.Name}' was not written: '{full}' already holds metrics from this command, and a file holds one machine. Give each machine its own file.", Machine))
            return;
        if (!ShouldProcess(full, $"Write the OOM metrics of machine '{Machine.Name}' as OpenMetrics text")) return;
        if (NoClobber && File.Exists(full))
        {
            WriteError(new ErrorRecord(new IOException($"The file '{full}' already exists, and -NoClobber was given."), "FileExists", ErrorCategory.ResourceExists, full));
            return;
        }
        // node_exporter's textfile collector reads *.prom files at any moment: write a hidden temporary file beside
        // the target (same file system, so the rename is atomic) and rename it over the target.
        var dir = System.IO.Path.GetDirectoryName(full) ?? ".";
        var temp = System.IO.Path.Combine(dir, "." + System.IO.Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        if (OutputFile.Write(temp, text, force: false, noClobber: true, out var error) is null) { WriteError(error!); return; }
        try
        {
            if (File.Exists(full))
            {
                var target = new FileInfo(full);
                if (target.IsReadOnly && !Force)
                    throw new UnauthorizedAccessException($"The file '{full}' is read-only; give -Force to replace it.");
                File.Replace(temp, full, null);
            }
            else File.Move(temp, full);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException)
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            WriteError(new ErrorRecord(e, "FileWriteError", ErrorCategory.WriteError, full));
            return;
        }
        if (PassThru) WriteObject(new FileInfo(full));
    }
}
