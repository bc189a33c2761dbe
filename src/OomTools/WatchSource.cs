using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using OomTools.Engine.Reports;

namespace OomTools;

/// <summary>
/// Where Watch-OomEvent reads the kernel log: /dev/kmsg, journalctl -kf or a growing file. Each is opened on the
/// cmdlet's thread (so a refusal is an error at once) and read on a background thread into a queue the cmdlet
/// thread drains: the pipeline thread never blocks on the log.
/// </summary>
internal abstract class WatchSource : IDisposable
{
    public BlockingCollection<string> Lines { get; } = new(new ConcurrentQueue<string>());
    public Exception? Failure { get; private set; }
    private Thread? thread;

    public void Start(CancellationToken token)
    {
        thread = new Thread(() =>
        {
            try { Run(token); }
            catch (Exception ex) when (!token.IsCancellationRequested) { Failure = ex; }
            catch (Exception) { }
            finally { Lines.CompleteAdding(); }
        })
        { IsBackground = true, Name = "Watch-OomEvent reader" };
        thread.Start();
    }

    protected abstract void Run(CancellationToken token);
    public virtual void Dispose() { }

    /// <summary>/dev/kmsg, non-blocking: one read, one record; EAGAIN means no new record yet.</summary>
    internal sealed class Kmsg : WatchSource
    {
        private const int O_RDONLY = 0, O_NONBLOCK = 0x800, SEEK_END = 2, EAGAIN = 11, EPIPE = 32, EINTR = 4;
        [DllImport("libc", SetLastError = true)] private static extern int open(string path, int flags);
        [DllImport("libc", SetLastError = true)] private static extern long lseek(int fd, long offset, int whence);
        [DllImport("libc", SetLastError = true)] private static extern IntPtr read(int fd, byte[] buf, IntPtr count);
        [DllImport("libc", SetLastError = true)] private static extern int close(int fd);
        private int fd;

        public Kmsg(string path, bool fromStart)
        {
            fd = open(path, O_RDONLY | O_NONBLOCK);
            if (fd < 0) throw new IOException($"Cannot read '{path}': errno {Marshal.GetLastWin32Error()} (reading the kernel log needs CAP_SYSLOG or kernel.dmesg_restrict=0).");
            if (!fromStart) lseek(fd, 0, SEEK_END);
        }

        protected override void Run(CancellationToken token)
        {
            var buf = new byte[16384];
            while (!token.IsCancellationRequested)
            {
                long n = (long)read(fd, buf, (IntPtr)buf.Length);
                if (n > 0) { if (KmsgRecord.ToDmesgLine(Encoding.UTF8.GetString(buf, 0, (int)n)) is { } line) Lines.Add(line); continue; }
                int errno = n < 0 ? Marshal.GetLastWin32Error() : EAGAIN;
                if (errno == EPIPE || errno == EINTR) continue; // records were overwritten before we read them
                if (errno != EAGAIN) throw new IOException($"Reading the kernel log failed: errno {errno}.");
                token.WaitHandle.WaitOne(20);
            }
        }

        public override void Dispose() { if (fd >= 0) { close(fd); fd = -1; } }
    }

    /// <summary>journalctl -k -f -o short-monotonic: "[  123.456789] host kernel: message".</summary>
    internal sealed class Journal : WatchSource
    {
        private readonly Process process;

        public Journal(bool fromStart)
        {
            var psi = new ProcessStartInfo("journalctl", $"-k -f -o short-monotonic --no-pager -n {(fromStart ? "all" : "0")}")
            { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            process = Process.Start(psi) ?? throw new IOException("journalctl did not start.");
        }

        protected override void Run(CancellationToken token)
        {
            using var reg = token.Register(() => { try { process.Kill(); } catch (InvalidOperationException) { } });
            string? line;
            while (!token.IsCancellationRequested && (line = process.StandardOutput.ReadLine()) is not null) Lines.Add(line);
            if (!token.IsCancellationRequested && process.WaitForExit(1000) && process.ExitCode != 0)
                throw new IOException($"journalctl ended with exit code {process.ExitCode}: {process.StandardError.ReadToEnd().Trim()}");
        }

        public override void Dispose()
        {
            try { if (!process.HasExited) process.Kill(); } catch (InvalidOperationException) { }
            process.Dispose();
        }
    }

    /// <summary>A file that grows (tail -f): new bytes are polled for; a file cut shorter is read again from its start.</summary>
    internal sealed class GrowingFile : WatchSource
    {
        private readonly FileStream stream;

        public GrowingFile(string path, bool fromStart)
        {
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            if (!fromStart) stream.Seek(0, SeekOrigin.End);
        }

        protected override void Run(CancellationToken token)
        {
            var buf = new byte[65536];
            var pending = new StringBuilder();
            var decoder = Encoding.UTF8.GetDecoder();
            var chars = new char[Encoding.UTF8.GetMaxCharCount(buf.Length)];
            while (!token.IsCancellationRequested)
            {
                if (stream.Length < stream.Position) { stream.Position = 0; pending.Clear(); }
                int n = stream.Read(buf, 0, buf.Length);
                if (n == 0) { token.WaitHandle.WaitOne(50); continue; }
                int c = decoder.GetChars(buf, 0, n, chars, 0);
                for (int i = 0; i < c; i++)
                {
                    if (chars[i] == '\n') { Lines.Add(pending.ToString().TrimEnd('\r')); pending.Clear(); }
                    else pending.Append(chars[i]);
                }
            }
        }

        public override void Dispose() => stream.Dispose();
    }
}
