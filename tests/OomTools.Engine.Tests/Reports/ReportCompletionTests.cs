using System;
using System.Collections.Concurrent;
using System.IO;
using System.IO.Pipes;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OomTools.Engine.Reports;
using Xunit;
using static OomTools.Engine.Tests.Reports.SampleReports;

namespace OomTools.Engine.Tests.Reports;

/// <summary>
/// The one completion rule of a live source (Import-OomReport on a FIFO or /dev/stdin, Watch-OomEvent): an event is
/// complete once it printed its end and the input pauses; lines that come in the same burst stay in it.
/// </summary>
public class ReportCompletionTests
{
    private static readonly TimeSpan Arrival = TimeSpan.FromSeconds(60);

    /// <summary>EventA's cgroup killed whole (memory.oom.group): the other kills and the reaper follow the first kill.</summary>
    private static readonly string[] GroupKill = Concat(EventA, new[]
    {
        "Tasks in /lab/oomlab-9382-1000 are going to be killed due to memory.oom.group set",
        "Memory cgroup out of memory: Killed process 9424 (python3) total-vm:24572kB, anon-rss:13464kB, file-rss:3800kB, shmem-rss:1024kB, UID:0 pgtables:84kB oom_score_adj:0",
        "Memory cgroup out of memory: Killed process 9442 (python3) total-vm:114684kB, anon-rss:104216kB, file-rss:3788kB, shmem-rss:0kB, UID:0 pgtables:260kB oom_score_adj:0",
        "oom_reaper: reaped process 9433 (python3), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB",
    });

    private static readonly string[] NoKillable = Concat(EventA.Take(8), new[]
    {
        "[   9424]     0  9424     6143     4572     3366      950       256    86016        0         -1000 python3",
        "Out of memory and no killable processes...",
    });

    /// <summary>
    /// Reads a pipe the way Import-OomReport reads a stream (PauseAwareStream, LogLineReader, the parser) on another
    /// thread; <paramref name="write"/> writes into it. The reports come out as they complete.
    /// </summary>
    private sealed class FollowedPipe : IDisposable
    {
        private readonly AnonymousPipeServerStream writer = new(PipeDirection.Out);
        private readonly AnonymousPipeClientStream readEnd;
        private readonly OomReportParser parser = new();
        public readonly BlockingCollection<OomReport> Reports = new();
        public readonly Task Reading;

        public FollowedPipe()
        {
            readEnd = new AnonymousPipeClientStream(PipeDirection.In, writer.ClientSafePipeHandle);
            Reading = Task.Run(() =>
            {
                using var text = new StreamReader(new PauseAwareStream(readEnd, OomReportParser.Quiet, () => Add(parser.CompleteKilled())));
                var lines = new LogLineReader(text);
                string? line;
                while ((line = lines.ReadLine()) is not null) Add(parser.Feed(line));
                Add(parser.Complete());
                Reports.CompleteAdding();
            });
        }

        private void Add(System.Collections.Generic.IReadOnlyList<OomReport> done)
        {
            foreach (var r in done) Reports.Add(r);
        }

        public void Write(params string[] lines)
        {
            var bytes = Encoding.UTF8.GetBytes(string.Concat(lines.Select(l => l + "\n")));
            writer.Write(bytes, 0, bytes.Length);
            writer.Flush();
        }

        public OomReport Next()
        {
            Assert.True(Reports.TryTake(out var r, Arrival), "no report arrived while the writer held the pipe open");
            return r!;
        }

        public void Close()
        {
            writer.Dispose();
            Assert.True(Reading.Wait(Arrival));
        }

        public void Dispose()
        {
            writer.Dispose();
            Reading.Wait(Arrival);
            readEnd.Dispose();
        }
    }

    private static void AssertSameReport(OomReport expected, OomReport actual)
    {
        Assert.Equal(expected.SelectedPid, actual.SelectedPid);
        Assert.Equal(expected.KilledPids, actual.KilledPids);
        Assert.Equal(expected.OomGroup, actual.OomGroup);
        Assert.Equal(expected.NoKillableProcesses, actual.NoKillableProcesses);
        Assert.Equal(expected.Replayable, actual.Replayable);
        Assert.Equal(expected.Lines.Select(l => l.Text), actual.Lines.Select(l => l.Text));
    }

    [Fact]
    public void AReportWrittenIntoAPipe_ComesOutWhileTheWriterHoldsItOpen()
    {
        using var pipe = new FollowedPipe();
        pipe.Write(Dmesg(EventA));
        var r = pipe.Next();
        Assert.False(pipe.Reading.IsCompleted);
        AssertSameReport(ReportInput.ParseLines(Dmesg(EventA)).Single(), r);
        pipe.Close();
        Assert.Empty(pipe.Reports);
    }

    [Fact]
    public void LinesInTheSameBurstAsTheKill_StayInTheReport()
    {
        // The oom.group kills and the reaper's line come right after the first kill: no pause splits them off.
        using var pipe = new FollowedPipe();
        pipe.Write(Dmesg(GroupKill));
        var r = pipe.Next();
        AssertSameReport(ReportInput.ParseLines(Dmesg(GroupKill)).Single(), r);
        Assert.Equal(new[] { 9433, 9424, 9442 }, r.KilledPids);
        Assert.StartsWith("oom_reaper: reaped process 9433", r.Lines.Last().Text, StringComparison.Ordinal);
        pipe.Close();
        Assert.Empty(pipe.Reports);
    }

    [Fact]
    public void APauseBeforeTheEnd_DoesNotEndTheReport()
    {
        using var pipe = new FollowedPipe();
        var lines = Dmesg(EventA);
        pipe.Write(lines.Take(9).ToArray());
        Thread.Sleep(OomReportParser.Quiet + OomReportParser.Quiet + OomReportParser.Quiet);
        Assert.Empty(pipe.Reports);
        pipe.Write(lines.Skip(9).ToArray());
        AssertSameReport(ReportInput.ParseLines(lines).Single(), pipe.Next());
        pipe.Close();
        Assert.Empty(pipe.Reports);
    }

    [Fact]
    public void NoKillableProcessesAndARateLimitedKill_EndTheirReportsToo()
    {
        using var pipe = new FollowedPipe();
        pipe.Write(Dmesg(NoKillable));
        var none = pipe.Next();
        Assert.True(none.NoKillableProcesses);
        AssertSameReport(ReportInput.ParseLines(Dmesg(NoKillable)).Single(), none);
        pipe.Write(Dmesg(new[] { RateLimitedKill }));
        var limited = pipe.Next();
        Assert.Equal(new[] { 9424 }, limited.KilledPids);
        Assert.False(limited.Replayable);
        Assert.Contains("rate-limit", limited.NotReplayableReason);
        pipe.Close();
        Assert.Empty(pipe.Reports);
    }

    [Fact]
    public void HasPendingEnd_IsTheKillTheNoKillLineOrAWouldHaveKilledLine()
    {
        var parser = new OomReportParser();
        foreach (var line in Dmesg(EventA.Take(EventA.Length - 1))) parser.Feed(line);
        Assert.False(parser.HasPendingEnd);
        Assert.Empty(parser.CompleteKilled());
        parser.Feed(Dmesg(EventA.Skip(EventA.Length - 1))[0]);
        Assert.True(parser.HasPendingEnd);
        Assert.Equal(9433, Assert.Single(parser.CompleteKilled()).SelectedPid);
        Assert.False(parser.HasPendingEnd);

        foreach (var line in Dmesg(NoKillable)) parser.Feed(line);
        Assert.True(parser.HasPendingEnd);
        Assert.False(parser.HasPendingKill);
        Assert.True(Assert.Single(parser.CompleteKilled()).NoKillableProcesses);

        foreach (var line in Dmesg(Concat(EventA.Take(EventA.Length - 1), new[] { "Memory cgroup out of memory: would have killed process 9433 (python3)" })))
            parser.Feed(line);
        Assert.True(parser.HasPendingEnd);
        var spared = Assert.Single(parser.CompleteKilled());
        Assert.Equal(9433, spared.SelectedPid);
        Assert.Empty(spared.KilledPids);
        Assert.Empty(parser.Complete());
    }

    [Fact]
    public async Task PauseAwareStream_CallsThePauseOncePerWaitingRead_AndPassesTheDataOn()
    {
        using var writer = new AnonymousPipeServerStream(PipeDirection.Out);
        using var readEnd = new AnonymousPipeClientStream(PipeDirection.In, writer.ClientSafePipeHandle);
        int pauses = 0;
        var stream = new PauseAwareStream(readEnd, TimeSpan.FromMilliseconds(20), () => Interlocked.Increment(ref pauses));
        var buffer = new byte[16];
        var read = Task.Run(() => stream.Read(buffer, 0, buffer.Length));
        await Task.Delay(300);
        writer.Write(new byte[] { 1, 2, 3 }, 0, 3);
        writer.Flush();
        Assert.Same(read, await Task.WhenAny(read, Task.Delay(Arrival)));
        Assert.Equal(3, await read);
        Assert.Equal(new byte[] { 1, 2, 3 }, buffer.Take(3));
        Assert.Equal(1, pauses);
        Assert.False(stream.CanSeek);
    }

    [Fact]
    public void PauseAwareStream_EndsAWaitingReadOnCancellation()
    {
        using var writer = new AnonymousPipeServerStream(PipeDirection.Out);
        using var readEnd = new AnonymousPipeClientStream(PipeDirection.In, writer.ClientSafePipeHandle);
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
        var stream = new PauseAwareStream(readEnd, OomReportParser.Quiet, () => { }, cancel.Token);
        Assert.ThrowsAny<OperationCanceledException>(() => stream.Read(new byte[16], 0, 16));
        // The abandoned read still waits on the pipe: closing the writing end first ends it (EOF).
        writer.Dispose();
    }
}
