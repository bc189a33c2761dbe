using System.Collections.Generic;

namespace OomTools.Engine.Host;

/// <summary>
/// The files a snapshot reads (/proc, cgroupfs, sysfs). Behind an interface so a saved copy of a host, or a
/// fake in tests, can stand in for the live one.
/// </summary>
public interface IHostFileSystem
{
    /// <summary>The file's text, or null when it does not exist (a process that exited mid-read).</summary>
    /// <exception cref="System.UnauthorizedAccessException">The caller may not read it.</exception>
    string? ReadText(string path);

    /// <summary>Names of the sub-folders of <paramref name="path"/> (empty when it does not exist).</summary>
    IEnumerable<string> Folders(string path);
}
