using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using OomTools.Engine.Reports;

namespace OomTools.Commands;

/// <summary>
/// Import-OomReport: reads kernel OOM reports from files or pipeline text (dmesg, dmesg -T, journalctl -k,
/// /var/log/messages, a pasted ticket) and emits one report per OOM event, in order, each with the machine
/// rebuilt from it and the kernel's choice.
/// </summary>
[Cmdlet(VerbsData.Import, "OomReport", DefaultParameterSetName = PathSet)]
[OutputType(typeof(OomReport))]
public sealed class ImportOomReportCommand : OomCmdlet
{
    private const string PathSet = "Path", LiteralPathSet = "LiteralPath", TextSet = "Text";
    private OomReportParser? pipelineParser;
    private long pipelineLines;

    /// <summary>Files to read; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = null!;

    /// <summary>Files to read, taken literally.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = null!;

    /// <summary>Log text, a line (or several) per pipeline object: <c>journalctl -k | Import-OomReport</c>.</summary>
    [Parameter(Mandatory = true, ParameterSetName = TextSet, ValueFromPipeline = true)]
    [AllowEmptyString]
    [AllowNull]
    public string[] InputObject { get; set; } = null!;

    /// <summary>Page size in bytes for reports that do not reveal theirs (4096 unless given).</summary>
    [Parameter]
    [ValidateSet("4096", "16384", "65536")]
    public int PageSize { get; set; } = 4096;

    /// <summary>
    /// Reads each file to its end, or feeds each piped line to the one parser the pipeline shares, writing every OOM
    /// report as it completes.
    /// </summary>
    protected override void ProcessRecord()
    {
        if (ParameterSetName == TextSet)
        {
            pipelineParser ??= new OomReportParser("(pipeline)") { DefaultPageSize = PageSize };
            if (InputObject is null) return;
            foreach (var item in InputObject)
            {
                if (item is null) continue;
                foreach (var line in item.Split('\n'))
                {
                    Emit(pipelineParser.Feed(line.TrimEnd('\r')));
                    if (++pipelineLines % 200_000 == 0)
                        WriteProgress(new ProgressRecord(1, "Import-OomReport", $"{pipelineLines:N0} lines read"));
                }
            }
            return;
        }
        foreach (var file in ResolveFiles())
            ReadFile(file);
    }

    /// <summary>
    /// Completes the piped text's parser: the last OOM report, which no later line closed, is written here.
    /// </summary>
    protected override void EndProcessing()
    {
        if (pipelineParser is not null)
        {
            Emit(pipelineParser.Complete());
            WriteProgress(new ProgressRecord(1, "Import-OomReport", "done") { RecordType = ProgressRecordType.Completed });
        }
    }

    private IEnumerable<string> ResolveFiles()
    {
        var result = new List<string>();
        if (ParameterSetName == LiteralPathSet)
        {
            foreach (var p in LiteralPath)
            {
                var full = GetUnresolvedProviderPathFromPSPath(p);
                if (File.Exists(full)) result.Add(full);
                else if (Directory.Exists(full)) WriteError(new ErrorRecord(new IOException($"'{full}' is a folder; give the log files in it."), "PathIsFolder", ErrorCategory.InvalidArgument, p));
                else WriteError(new ErrorRecord(new FileNotFoundException($"Cannot find the file '{p}'.", p), "FileNotFound", ErrorCategory.ObjectNotFound, p));
            }
            return result;
        }
        foreach (var p in Path)
        {
            try
            {
                var resolved = GetResolvedProviderPathFromPSPath(p, out _);
                if (resolved.Count == 0) WriteError(new ErrorRecord(new FileNotFoundException($"No file matches '{p}'.", p), "FileNotFound", ErrorCategory.ObjectNotFound, p));
                foreach (var r in resolved)
                {
                    if (Directory.Exists(r)) WriteError(new ErrorRecord(new IOException($"'{r}' is a folder; give the log files in it (for example {r}/*.log)."), "PathIsFolder", ErrorCategory.InvalidArgument, p));
                    else result.Add(r);
                }
            }
            catch (ItemNotFoundException e)
            {
                WriteError(new ErrorRecord(e, "FileNotFound", ErrorCategory.ObjectNotFound, p));
            }
        }
        return result;
    }

    private void ReadFile(string file)
    {
        var parser = new OomReportParser(file) { DefaultPageSize = PageSize };
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            long length = Math.Max(1, stream.Length), lines = 0;
            string? line;
            while ((line = reader.ReadLine()) is not null)
            {
                Emit(parser.Feed(line));
                if (++lines % 200_000 == 0)
                {
                    int percent = (int)Math.Min(100, stream.Position * 100 / length);
                    WriteProgress(new ProgressRecord(1, "Import-OomReport", $"Reading {System.IO.Path.GetFileName(file)}") { PercentComplete = percent });
                }
            }
            Emit(parser.Complete());
            WriteProgress(new ProgressRecord(1, "Import-OomReport", "done") { RecordType = ProgressRecordType.Completed });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(new ErrorRecord(e, "FileReadError", ErrorCategory.ReadError, file));
        }
    }

    private void Emit(IReadOnlyList<OomReport> reports)
    {
        foreach (var r in reports)
        {
            if (!r.Replayable) WriteVerbose($"{r}: not replayable: {r.NotReplayableReason}");
            WriteObject(r);
        }
    }
}
