using System;
using System.IO;
using System.Management.Automation;

namespace OomTools;

/// <summary>
/// Opens a machine file for Import-OomMachine as a bounded stream, so a device, FIFO or endless file ends in an
/// ErrorRecord instead of a hang: no NUL (JSON has none, escaped or not; <c>/dev/zero</c> and binary files have them
/// at once) and at most <see cref="MaxLength"/> characters. The document is read as it streams, one task at a time,
/// so memory does not grow with the file; the bound only ends input that never ends. A FIFO or process substitution
/// (<c>&lt;(cat m.json)</c>) still reads, as any stream does.
/// </summary>
internal sealed class MachineFileReader : TextReader
{
    /// <summary>
    /// The longest machine file read, 64 GB (64·10^9 characters): about 50 times a machine of a million processes
    /// (a 1 GB document), far past any real one, and finite.
    /// </summary>
    public const long MaxLength = 64_000_000_000;

    private readonly TextReader inner;
    private readonly string full;
    private long read;

    private MachineFileReader(string full)
    {
        this.full = full;
        var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (stream.CanSeek && stream.Length > MaxLength)
        {
            long length = stream.Length;
            stream.Dispose();
            throw new MachineFileBoundException(TooLarge(full, length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " bytes"));
        }
        inner = new StreamReader(stream, OutputFile.Utf8, detectEncodingFromByteOrderMarks: true);
    }

    /// <summary>A bounded reader of the file; <see cref="MachineFileBoundException"/> when a bound is passed.</summary>
    public static TextReader Open(string full) => new MachineFileReader(full);

    /// <inheritdoc/>
    public override int Peek() => inner.Peek();

    /// <inheritdoc/>
    public override int Read()
    {
        int c = inner.Read();
        if (c >= 0) Check(c == 0 ? 0 : -1, 1);
        return c;
    }

    /// <inheritdoc/>
    public override int Read(char[] buffer, int index, int count)
    {
        int n = inner.Read(buffer, index, count);
        if (n > 0) Check(Array.IndexOf(buffer, '\0', index, n) is var at && at >= 0 ? at - index : -1, n);
        return n;
    }

    private void Check(int nulAt, int n)
    {
        if (nulAt >= 0)
            throw new MachineFileBoundException(new ErrorRecord(new InvalidDataException(
                FormattableString.Invariant($"'{full}' holds a NUL character at character {read + nulAt:N0}: not a JSON machine document (a device such as /dev/zero, or a binary file).")),
                ErrorIds.NotText, ErrorCategory.InvalidData, full));
        read += n;
        if (read > MaxLength) throw new MachineFileBoundException(TooLarge(full, FormattableString.Invariant($"more than {MaxLength:N0} characters")));
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing) inner?.Dispose();
        base.Dispose(disposing);
    }

    private static ErrorRecord TooLarge(string full, string size) =>
        new(new InvalidDataException(FormattableString.Invariant($"'{full}' holds {size}; Import-OomMachine reads machine files of at most {MaxLength:N0} characters (64 GB).")),
            ErrorIds.InputTooLarge, ErrorCategory.LimitsExceeded, full);
}

/// <summary>A machine file past a reading bound: the ErrorRecord Import-OomMachine writes.</summary>
internal sealed class MachineFileBoundException : Exception
{
    public MachineFileBoundException(ErrorRecord record) : base(record.Exception.Message) => Record = record;

    /// <summary>The error to write.</summary>
    public ErrorRecord Record { get; }
}
