using System;
using System.IO;
using System.Management.Automation;
using System.Text;

namespace OomTools;

/// <summary>
/// Reads a machine file for Import-OomMachine with bounds, so a device, FIFO or endless file ends in an ErrorRecord
/// instead of filling memory: at most <see cref="MaxLength"/> characters, and no NUL (JSON has none, escaped or
/// not; <c>/dev/zero</c> and binary files have them at once). A FIFO or process substitution
/// (<c>&lt;(cat m.json)</c>) still reads, as any stream does.
/// </summary>
internal static class MachineFileReader
{
    /// <summary>
    /// The largest machine file read, 1 GB (10^9 characters): a .NET string holds at most about 1.07 billion, and the
    /// document is read whole before it is parsed.
    /// </summary>
    public const long MaxLength = 1_000_000_000;

    /// <summary>The file's text (UTF-8, or what its byte-order mark says); null with an ErrorRecord past a bound.</summary>
    public static string? Read(string full, out ErrorRecord? error)
    {
        error = null;
        using var stream = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        if (stream.CanSeek && stream.Length > MaxLength)
        {
            error = TooLarge(full, stream.Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) + " bytes");
            return null;
        }
        using var reader = new StreamReader(stream, OutputFile.Utf8, detectEncodingFromByteOrderMarks: true);
        var text = new StringBuilder(stream.CanSeek ? (int)Math.Max(16, stream.Length) : 4096);
        var buffer = new char[64 * 1024];
        int n;
        while ((n = reader.Read(buffer, 0, buffer.Length)) > 0)
        {
            int nul = Array.IndexOf(buffer, '\0', 0, n);
            if (nul >= 0)
            {
                error = new ErrorRecord(new InvalidDataException(
                    FormattableString.Invariant($"'{full}' holds a NUL character at character {text.Length + nul:N0}: not a JSON machine document (a device such as /dev/zero, or a binary file).")),
                    ErrorIds.NotText, ErrorCategory.InvalidData, full);
                return null;
            }
            if (text.Length + (long)n > MaxLength)
            {
                error = TooLarge(full, FormattableString.Invariant($"more than {MaxLength:N0} characters"));
                return null;
            }
            text.Append(buffer, 0, n);
        }
        return text.ToString();
    }

    private static ErrorRecord TooLarge(string full, string size) =>
        new(new InvalidDataException(FormattableString.Invariant($"'{full}' holds {size}; Import-OomMachine reads machine files of at most {MaxLength:N0} characters (1 GB).")),
            ErrorIds.InputTooLarge, ErrorCategory.LimitsExceeded, full);
}
