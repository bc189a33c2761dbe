using System;
using System.Collections.Generic;
using System.IO;

namespace OomTools.Engine.Reports;

/// <summary>
/// Reads a log's lines with bounds, so that any file, device or FIFO either reads as text or stops with an
/// <see cref="InvalidDataException"/> or <see cref="LogLineTooLongException"/>, never after filling memory or spinning forever: a line longer than
/// <see cref="MaxLineLength"/> is cut there (<see cref="LastLineLength"/> tells its whole length), a line with no
/// end in <see cref="MaxUnendedLine"/> characters stops the read (<see cref="LogLineTooLongException"/>), and
/// <see cref="MaxBinaryRun"/> characters in a row that are mostly NULs, undecodable bytes or control characters
/// (<c>/dev/zero</c>, <c>/dev/urandom</c>, a binary file) stop it too. Line ends are <c>\n</c>, <c>\r\n</c> and a
/// lone <c>\r</c>, as <see cref="TextReader.ReadLine"/> reads them.
/// </summary>
public sealed class LogLineReader
{
    /// <summary>
    /// The longest line kept whole, in characters (64 KiB). The kernel formats a printk record into at most 1,024
    /// bytes (PRINTK_MESSAGE_MAX is 2,048 since 6.x, with its prefix); syslog, journal and dmesg -T prefixes add
    /// well under a hundred. 64 times that is no kernel line, yet generous for a log with a pasted blob in it.
    /// </summary>
    public const int MaxLineLength = 64 * 1024;

    /// <summary>
    /// Characters without a line end after which the read stops (64 MiB): a line a thousand times longer than
    /// any the parser keeps is not a log but an endless stream (<c>yes | tr -d '\n'</c>).
    /// </summary>
    public const long MaxUnendedLine = 64L * 1024 * 1024;

    /// <summary>
    /// Characters in a row, read in windows of 1 MiB, each more than a quarter NULs, undecodable bytes or control
    /// characters, after which the read stops (16 MiB): a text log has none, and the block of NULs a crash can leave
    /// in a syslog file (blocks allocated, never written) is far shorter.
    /// </summary>
    public const long MaxBinaryRun = 16L * 1024 * 1024;

    private const int Window = 1024 * 1024;
    private readonly TextReader reader;
    private readonly char[] buffer = new char[16 * 1024];
    private readonly char[] line = new char[MaxLineLength];
    private int position, filled;
    private bool skipLineFeed, atEnd;
    private long windowChars, windowBinary, binaryRun;

    /// <summary>Reads lines from <paramref name="reader"/>; the caller disposes it.</summary>
    public LogLineReader(TextReader reader) => this.reader = reader ?? throw new ArgumentNullException(nameof(reader));

    /// <summary>1-based number of the last line read (0 before the first).</summary>
    public long LineNumber { get; private set; }

    /// <summary>The whole length of the last line read, in characters, before it was cut to <see cref="MaxLineLength"/>.</summary>
    public long LastLineLength { get; private set; }

    /// <summary>Whether the last line read was longer than <see cref="MaxLineLength"/> and was cut.</summary>
    public bool LastLineCut => LastLineLength > MaxLineLength;

    /// <summary>
    /// The next line (its first <see cref="MaxLineLength"/> characters), or null at the end. Throws
    /// <see cref="InvalidDataException"/> when the input is binary, <see cref="LogLineTooLongException"/> when a
    /// line has no end within <see cref="MaxUnendedLine"/> characters.
    /// </summary>
    public string? ReadLine()
    {
        if (atEnd) return null;
        long length = 0;
        while (true)
        {
            if (position == filled)
            {
                filled = reader.Read(buffer, 0, buffer.Length);
                position = 0;
                if (filled <= 0)
                {
                    filled = 0;
                    atEnd = true;
                    if (length == 0) return null;
                    return Finish(length);
                }
            }
            if (skipLineFeed)
            {
                skipLineFeed = false;
                if (buffer[position] == '\n') { position++; continue; }
            }
            // The buffer is read a run at a time up to the next line end (vectorised searches), never past the
            // character that makes the line too long, so every bound stops at the character it stopped at before.
            int count = filled - position;
            if (count > MaxUnendedLine + 1 - length) count = (int)(MaxUnendedLine + 1 - length);
            int end = Array.IndexOf(buffer, '\n', position, count);
            int stop = end < 0 ? position + count : end;
            int cr = Array.IndexOf(buffer, '\r', position, stop - position);
            if (cr >= 0) end = stop = cr;
            int n = stop - position;
            Count(position, stop);
            if (length == 0 && end >= 0 && n <= MaxLineLength)
            {
                // The whole line stands in the buffer: made from it, not copied first.
                var whole = new string(buffer, position, n);
                EndLine(end);
                LineNumber++;
                LastLineLength = n;
                return whole;
            }
            if (length < MaxLineLength) Array.Copy(buffer, position, line, (int)length, (int)Math.Min(n, MaxLineLength - length));
            length += n;
            position = stop;
            if (length > MaxUnendedLine)
                throw new LogLineTooLongException(
                    FormattableString.Invariant($"line {LineNumber + 1} has no line end in {MaxUnendedLine:N0} characters: an endless stream or not a line-oriented log."));
            if (end >= 0)
            {
                EndLine(end);
                return Finish(length);
            }
        }
    }

    /// <summary>Past the line end at <paramref name="end"/>; a <c>\r</c> may be followed by the <c>\n</c> of a <c>\r\n</c>.</summary>
    private void EndLine(int end)
    {
        position = end + 1;
        if (buffer[end] == '\r') skipLineFeed = true;
    }

    private string Finish(long length)
    {
        LineNumber++;
        LastLineLength = length;
        return new string(line, 0, (int)Math.Min(length, MaxLineLength));
    }

    // NULs, U+FFFD (what the decoder makes of bytes that are not UTF-8) and control characters other than tab,
    // vertical tab, form feed and escape (colour codes) never stand in a text log. Counted a window at a time.
    private void Count(int from, int to)
    {
        while (from < to)
        {
            int take = (int)Math.Min(to - from, Window - windowChars);
            int binary = 0;
            for (int i = from, last = from + take; i < last; i++)
            {
                char c = buffer[i];
                if (c < ' ' ? c != '\t' && c != '\v' && c != '\f' && c != '\x1b' : c == '\uFFFD') binary++;
            }
            windowBinary += binary;
            windowChars += take;
            from += take;
            if (windowChars < Window) continue;
            binaryRun = windowBinary * 4 > windowChars ? binaryRun + windowChars : 0;
            windowChars = windowBinary = 0;
            if (binaryRun >= MaxBinaryRun)
                throw new InvalidDataException(
                    FormattableString.Invariant($"{binaryRun:N0} characters in a row before line {LineNumber + 1} are mostly NULs, undecodable bytes or control characters: not a text log (a journald file reads with journalctl --file)."));
        }
    }

    /// <summary>
    /// The lines of one piece of text, split at <c>\n</c>, <c>\r\n</c> and a lone <c>\r</c>; a line end at the very
    /// end leaves an empty last line (as <see cref="string.Split(char[])"/> on <c>\n</c> does).
    /// </summary>
    public static IEnumerable<string> SplitLines(string text)
    {
        if (text is null) yield break;
        int start = 0;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c != '\n' && c != '\r') continue;
            yield return text.Substring(start, i - start);
            if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
            start = i + 1;
        }
        yield return text.Substring(start);
    }
}
