using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading;
using OomTools.Engine.Reports;

namespace OomTools.Commands;

/// <summary>
/// Import-OomReport: reads kernel OOM reports from files or pipeline text (dmesg, dmesg -T, journalctl -k,
/// /var/log/messages, a pasted ticket) and emits one report per OOM event, in order, each with the machine
/// rebuilt from it and the kernel's choice. A report is written as soon as it is complete: at the start of the next
/// one, at the end of the input, or, on a stream (a FIFO, /dev/stdin) that pauses after the report printed its end,
/// at the pause (<see cref="OomReportParser.Quiet"/>), the rule Watch-OomEvent follows too.
/// </summary>
[Cmdlet(VerbsData.Import, "OomReport", DefaultParameterSetName = PathSet)]
[OutputType(typeof(OomReport))]
public sealed class ImportOomReportCommand : OomCmdlet
{
    private const string PathSet = "Path", LiteralPathSet = "LiteralPath", TextSet = "Text";
    private OomReportParser? pipelineParser;
    private long pipelineLines;
    private readonly CutLines pipelineCut = new();
    private readonly CancellationTokenSource stop = new();
    private bool? mayWriteVerbose;

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
                // CR-only, LF and CRLF line ends all end a line, as they do when the same text is read from a file.
                foreach (var line in LogLineReader.SplitLines(item))
                {
                    if (line.Length > LogLineReader.MaxLineLength) pipelineCut.Add(this, "(pipeline)", pipelineLines + 1, line.Length);
                    Emit(pipelineParser.Feed(line));
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
            pipelineCut.Summarize(this, "(pipeline)");
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
        var cut = new CutLines();
        try
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            // A stream (FIFO, pipe, terminal) can pause with a report complete but the writer still there: the report
            // is written at the pause. A regular file is read to its end without waiting, so it never pauses.
            using var text = new StreamReader(stream.CanSeek ? stream : new PauseAwareStream(stream, OomReportParser.Quiet, () => Emit(parser.CompleteKilled()), stop.Token));
            // A FIFO or /dev/stdin cannot tell its length: no percentage then.
            long length = stream.CanSeek ? Math.Max(1, stream.Length) : 0;
            var reader = new LogLineReader(text);
            try
            {
                string? line;
                while ((line = reader.ReadLine()) is not null)
                {
                    if (reader.LastLineCut) cut.Add(this, file, reader.LineNumber, reader.LastLineLength);
                    Emit(parser.Feed(line));
                    if (reader.LineNumber % 200_000 == 0)
                    {
                        var progress = new ProgressRecord(1, "Import-OomReport", $"Reading {System.IO.Path.GetFileName(file)}");
                        if (length > 0) progress.PercentComplete = (int)Math.Min(100, stream.Position * 100 / length);
                        WriteProgress(progress);
                    }
                }
            }
            catch (Exception e) when (e is InvalidDataException or LogLineTooLongException)
            {
                // What was read before the bound is still the log's: its events come out, then the error.
                Emit(parser.Complete());
                cut.Summarize(this, file);
                bool binary = e is InvalidDataException;
                WriteError(new ErrorRecord(new InvalidDataException($"'{file}': {e.Message}", e),
                    binary ? ErrorIds.NotText : ErrorIds.InputTooLarge, binary ? ErrorCategory.InvalidData : ErrorCategory.LimitsExceeded, file));
                return;
            }
            Emit(parser.Complete());
            cut.Summarize(this, file);
            WriteProgress(new ProgressRecord(1, "Import-OomReport", "done") { RecordType = ProgressRecordType.Completed });
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(new ErrorRecord(e, "FileReadError", ErrorCategory.ReadError, file));
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C while a stream was waiting for its writer.
            throw new PipelineStoppedException();
        }
    }

    /// <summary>Whether a verbose message can be shown: -Verbose or -Debug given, or $VerbosePreference neither SilentlyContinue nor Ignore.</summary>
    private bool MayWriteVerbose() =>
        MyInvocation.BoundParameters.ContainsKey("Verbose") || MyInvocation.BoundParameters.ContainsKey("Debug")
        || GetVariableValue("VerbosePreference") is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);

    /// <summary>Ctrl+C: ends a read that waits on a stream (a FIFO or /dev/stdin whose writer is silent).</summary>
    protected override void StopProcessing() => stop.Cancel();

    /// <summary>
    /// The lines of one source cut at <see cref="LogLineReader.MaxLineLength"/>: a warning for each of the first
    /// ten, then one saying how many more, so a file of huge lines does not bury the output in warnings.
    /// </summary>
    private sealed class CutLines
    {
        private const int Warned = 10;
        private long count;

        public void Add(PSCmdlet cmdlet, string source, long lineNumber, long length)
        {
            if (++count <= Warned)
                cmdlet.WriteWarning(FormattableString.Invariant($"{source}: line {lineNumber:N0} is {length:N0} characters long; only its first {LogLineReader.MaxLineLength:N0} are read (no kernel message is longer than about 1,024)."));
        }

        public void Summarize(PSCmdlet cmdlet, string source)
        {
            if (count > Warned) cmdlet.WriteWarning(FormattableString.Invariant($"{source}: {count - Warned:N0} more lines longer than {LogLineReader.MaxLineLength:N0} characters were cut."));
            count = 0;
        }
    }

    private void Emit(IReadOnlyList<OomReport> reports)
    {
        foreach (var r in reports)
        {
            // Replayable rebuilds the machine (OomReport builds it when first read): only asked when the message shows.
            if ((mayWriteVerbose ??= MayWriteVerbose()) && !r.Replayable) WriteVerbose($"{r}: not replayable: {r.NotReplayableReason}");
            WriteObject(r);
        }
    }
}
