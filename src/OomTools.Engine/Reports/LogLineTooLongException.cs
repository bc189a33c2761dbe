using System.IO;

namespace OomTools.Engine.Reports;

/// <summary>
/// A log line with no end within <see cref="LogLineReader.MaxUnendedLine"/> characters: a limit of the reader,
/// not a fault of the text read so far (Import-OomReport reports it as LimitsExceeded).
/// </summary>
public sealed class LogLineTooLongException : IOException
{
    /// <summary>Makes the exception with its message.</summary>
    public LogLineTooLongException(string message) : base(message) { }
}
