using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace OomTools.Engine.Reports;

/// <summary>
/// A read-only view of a source that can pause (a FIFO, a pipe, <c>/dev/stdin</c>): a read that has waited
/// <see cref="OomReportParser.Quiet"/> (or the quiet time given) without data calls the pause handler once, on the
/// reading thread, then goes on waiting. It is how a reader of a stream learns that a report whose end was printed
/// is complete (<see cref="OomReportParser.CompleteKilled"/>) while the writer holds the stream open. The handler
/// runs on the caller's thread, so it may write output where only that thread may (a cmdlet's pipeline).
/// A regular file never pauses: read it directly.
/// </summary>
public sealed class PauseAwareStream : Stream
{
    private readonly Stream inner;
    private readonly TimeSpan quiet;
    private readonly Action onPause;
    private readonly CancellationToken cancel;

    /// <summary>Reads <paramref name="inner"/>; the caller disposes it.</summary>
    /// <param name="inner">The stream to read.</param>
    /// <param name="quiet">How long a read waits before <paramref name="onPause"/> is called.</param>
    /// <param name="onPause">Called on the reading thread once per read that waited <paramref name="quiet"/>.</param>
    /// <param name="cancel">Ends a waiting read with <see cref="OperationCanceledException"/> (Ctrl+C).</param>
    public PauseAwareStream(Stream inner, TimeSpan quiet, Action onPause, CancellationToken cancel = default)
    {
        this.inner = inner ?? throw new ArgumentNullException(nameof(inner));
        this.onPause = onPause ?? throw new ArgumentNullException(nameof(onPause));
        this.quiet = quiet;
        this.cancel = cancel;
    }

    /// <summary>
    /// Reads what the source has; while it has nothing, waits, calling the pause handler once after the quiet
    /// time. The read itself runs on a pool thread, the one place that may block on the source.
    /// </summary>
    public override int Read(byte[] buffer, int offset, int count)
    {
        cancel.ThrowIfCancellationRequested();
        var read = Task.Run(() => inner.Read(buffer, offset, count));
        try
        {
            if (!read.Wait((int)Math.Ceiling(quiet.TotalMilliseconds), cancel))
            {
                onPause();
                read.Wait(cancel);
            }
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            // The source's own error (IOException and the like), as a direct read would have thrown it.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException!).Throw();
        }
        return read.Result;
    }

    /// <summary>True: the stream is read.</summary>
    public override bool CanRead => true;

    /// <summary>False: a paused source has no position to seek.</summary>
    public override bool CanSeek => false;

    /// <summary>False: the stream is only read.</summary>
    public override bool CanWrite => false;

    /// <summary>Not supported: a stream has no length.</summary>
    public override long Length => throw new NotSupportedException();

    /// <summary>Not supported: a stream has no position.</summary>
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    /// <summary>Nothing to flush: the stream is only read.</summary>
    public override void Flush() { }

    /// <summary>Not supported: a stream has no position.</summary>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <summary>Not supported: a stream has no length.</summary>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>Not supported: the stream is only read.</summary>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
