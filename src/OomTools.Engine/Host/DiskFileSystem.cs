using System;
using System.Collections.Generic;
using System.IO;

namespace OomTools.Engine.Host;

/// <summary>The real file system: the live host, or a saved copy of its trees.</summary>
public sealed class DiskFileSystem : IHostFileSystem
{
    public string? ReadText(string path)
    {
        try { return File.ReadAllText(path); }
        catch (FileNotFoundException) { return null; }
        catch (DirectoryNotFoundException) { return null; }
        // /proc/PID/* of a process that exits while it is read: ESRCH surfaces as an IOException.
        catch (IOException) { return null; }
    }

    public IEnumerable<string> Folders(string path)
    {
        string[] dirs;
        try { dirs = Directory.GetDirectories(path); }
        catch (Exception e) when (e is DirectoryNotFoundException or IOException) { yield break; }
        foreach (var d in dirs) yield return Path.GetFileName(d);
    }
}
