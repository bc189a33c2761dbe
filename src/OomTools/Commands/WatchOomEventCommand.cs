using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Management.Automation;
using System.Threading;
using OomTools.Engine.Reports;

namespace OomTools.Commands;

/// <summary>
/// Watch-OomEvent: follows the kernel log as it is written (/dev/kmsg, journalctl -kf with -Journal, or a growing
/// file with -Path) and writes each OOM kill as soon as its report is complete, replayed: the kernel's victim,
/// whether the model agrees, the ranking and who would die next.
/// </summary>
[Cmdlet(VerbsCommon.Watch, "OomEvent", DefaultParameterSetName = KmsgSet)]
[OutputType(typeof(OomWatchEvent))]
public sealed class WatchOomEventCommand : OomCmdlet
{
    private const string KmsgSet = "Kmsg", JournalSet = "Journal", PathSet = "Path", LiteralPathSet = "LiteralPath";
    // A report is complete once its kill is printed and no line of it followed for this long (an oom.group kill
    // prints its other victims right after the first; an idle log after a kill means the report is over): the
    // parser's one completion rule, which Import-OomReport follows on a stream too.
    private static readonly TimeSpan Quiet = OomReportParser.Quiet;
    private readonly CancellationTokenSource stop = new();

    /// <summary>The kernel's message buffer device to read (/dev/kmsg unless given).</summary>
    [Parameter(ParameterSetName = KmsgSet)]
    [ValidateNotNullOrEmpty]
    public string Kmsg { get; set; } = "/dev/kmsg";

    /// <summary>Read the kernel messages from the journal (journalctl -k -f) instead of /dev/kmsg.</summary>
    [Parameter(Mandatory = true, ParameterSetName = JournalSet)]
    public SwitchParameter Journal { get; set; }

    /// <summary>A log file that is being written (tail -f): new lines are read as they are appended.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    /// <summary>-Path taken as it is written: no wildcard characters.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = null!;

    /// <summary>Read what the log already holds too, not only what is written from now on.</summary>
    [Parameter]
    [Alias("IncludeExisting")]
    public SwitchParameter FromStart { get; set; }

    /// <summary>Stop after this many OOM events.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int Count { get; set; } = int.MaxValue;

    /// <summary>Stop after this long: a TimeSpan, or a number of seconds.</summary>
    [Parameter]
    [SecondsTransformation]
    public TimeSpan? Timeout { get; set; }

    /// <summary>A script block run for each event, with the event as $_ and $args[0]; its output is discarded.</summary>
    [Parameter]
    [ValidateNotNull]
    public ScriptBlock? Action { get; set; }

    /// <summary>Reads the log until -Count events, -Timeout, the end of a journalctl, or Ctrl+C.</summary>
    protected override void EndProcessing()
    {
        if (Timeout is { } t && t <= TimeSpan.Zero)
            ThrowTerminatingError(new ErrorRecord(new ArgumentException($"The timeout must be positive; {t} is not."), ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, t));
        WatchSource source;
        string name;
        try
        {
            switch (ParameterSetName)
            {
                case PathSet:
                case LiteralPathSet:
                    name = ResolveLogPath();
                    source = new WatchSource.GrowingFile(name, FromStart);
                    break;
                case JournalSet:
                    name = "journalctl -k";
                    source = new WatchSource.Journal(FromStart);
                    break;
                default:
                    name = Kmsg;
                    source = new WatchSource.Kmsg(Kmsg, FromStart);
                    break;
            }
        }
        catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException or System.ComponentModel.Win32Exception or DllNotFoundException or EntryPointNotFoundException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, ErrorIds.WatchSourceUnavailable, ErrorCategory.ReadError, ParameterSetName == PathSet ? Path : ParameterSetName == LiteralPathSet ? LiteralPath : Kmsg));
            return;
        }
        using (source) Pump(source, name);
    }

    /// <summary>The one file -Path (wildcards) or -LiteralPath names; a pattern that matches nothing or several is refused.</summary>
    private string ResolveLogPath()
    {
        if (ParameterSetName == LiteralPathSet) return GetUnresolvedProviderPathFromPSPath(LiteralPath);
        if (!WildcardPattern.ContainsWildcardCharacters(Path)) return GetUnresolvedProviderPathFromPSPath(Path);
        System.Collections.ObjectModel.Collection<string> paths;
        try { paths = GetResolvedProviderPathFromPSPath(Path, out _); }
        catch (ItemNotFoundException ex) { throw new System.IO.FileNotFoundException(ex.Message); }
        if (paths.Count != 1) throw new System.IO.IOException($"-Path '{Path}' names {paths.Count} files; Watch-OomEvent follows one.");
        return paths[0];
    }

    private void Pump(WatchSource source, string name)
    {
        var token = stop.Token;
        var clock = Stopwatch.StartNew();
        var parser = new OomReportParser(name);
        int seen = 0;
        source.Start(token);
        try
        {
            while (seen < Count && !token.IsCancellationRequested)
            {
                var wait = Quiet;
                if (Timeout is { } limit)
                {
                    var left = limit - clock.Elapsed;
                    if (left <= TimeSpan.Zero) break;
                    if (left < wait) wait = left;
                }
                IReadOnlyList<OomReport> done;
                if (source.Lines.TryTake(out var line, (int)Math.Ceiling(wait.TotalMilliseconds), token)) done = parser.Feed(line);
                else if (source.Lines.IsCompleted) { done = parser.Complete(); Emit(done, ref seen); break; }
                else done = parser.CompleteKilled();
                Emit(done, ref seen);
            }
        }
        catch (OperationCanceledException) { }
        finally { stop.Cancel(); }
        if (source.Failure is { } failure)
            WriteError(new ErrorRecord(failure, ErrorIds.WatchSourceUnavailable, ErrorCategory.ReadError, name));
    }

    private void Emit(IReadOnlyList<OomReport> reports, ref int seen)
    {
        foreach (var report in reports)
        {
            // Only events that killed (or found nothing to kill) are OOM kills; a lone fragment is not.
            if (report.KilledPids.Count == 0 && !report.NoKillableProcesses) continue;
            if (seen >= Count) return;
            seen++;
            var ev = OomWatchEvent.From(report, DateTime.Now);
            WriteObject(ev);
            if (Action is not null) RunAction(ev);
        }
    }

    private void RunAction(OomWatchEvent ev)
    {
        try { Action!.InvokeWithContext(null, new List<PSVariable> { new("_", ev) }, ev); }
        catch (Exception ex) when (ex is RuntimeException && ex is not PipelineStoppedException)
        {
            WriteError(new ErrorRecord(ex, ErrorIds.WatchActionFailed, ErrorCategory.OperationStopped, ev));
        }
    }

    /// <summary>Ctrl+C: ends the read loop; the reader thread and journalctl are stopped.</summary>
    protected override void StopProcessing() => stop.Cancel();

    /// <summary>Numbers given to -Timeout are seconds, not the ticks PowerShell would make of them.</summary>
    private sealed class SecondsTransformationAttribute : ArgumentTransformationAttribute
    {
        public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
        {
            var value = inputData is PSObject ps ? ps.BaseObject : inputData;
            return value switch
            {
                int or long or double or float or decimal or short or byte => TimeSpan.FromSeconds(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)),
                string s when double.TryParse(s, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var secs) => TimeSpan.FromSeconds(secs),
                _ => inputData,
            };
        }
    }
}
