using System;
using System.Collections.Generic;
using System.IO;

namespace OomTools.Engine.Host;

/// <summary>The real file system: the live host, or a saved copy of its trees.</summary>
public sealed class DiskFileSystem : IHostFileSystem
{
    /// <summary>
    /// Reads <paramref name="path"/> whole. Null when the file or its folder does not exist, and also on any other
    /// I/O error: reading <c>/proc/PID/*</c> of a process that exits meanwhile fails with ESRCH, which .NET surfaces
    /// as a plain <see cref="IOException"/>.
    /// </summary>
    /// <exception cref="UnauthorizedAccessException">The caller may not read the file (it is not caught here).</exception>
    public string? ReadText(string path)
    {
        try { return File.ReadAllText(path); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        // /proc/PID/* of a process that exits while it is read: ESRCH surfaces as an IOException.
        catch (IOException) { return null; }
    }

    /// <summary>
    /// Names (not paths) of the sub-folders of <paramref name="path"/>, e.g. the pid folders of <c>/proc</c>; empty
    /// when the folder does not exist or cannot be listed.
    /// </summary>
    public IEnumerable<string> Folders(string path)
    {
        string[] dirs;
        try { dirs = Directory.GetDirectories(path); }
        catch (Exception e) when (e is DirectoryNotFoundException or IOException) { yield break; }
        foreach (var d in dirs) yield return Path.GetFileName(d);
    }
}
