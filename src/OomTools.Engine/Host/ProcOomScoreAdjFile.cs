using System;
using System.IO;
using OomTools.Engine.Model;

namespace OomTools.Engine.Host;

/// <summary>
/// Writes the oom_score_adj files of processes on this host (or of a saved /proc tree), and names the kernel's
/// refusal by its errno, as <see cref="Proc.OomScoreAdjWriter"/> names the simulated ones.
/// </summary>
public static class ProcOomScoreAdjFile
{
    /// <summary><c>PROCROOT/PID/oom_score_adj</c>, or <c>PROCROOT/PID/oom_adj</c> for the legacy scale.</summary>
    public static string PathOf(string procRoot, int pid, bool legacy) =>
        $"{procRoot.TrimEnd('/')}/{pid}/{(legacy ? "oom_adj" : "oom_score_adj")}";

    /// <summary>
    /// Writes <paramref name="text"/> to <paramref name="path"/> in one write and reads the file back, as
    /// <c>write(2)</c> would: the errno is returned (<see cref="Errno.Success"/> when the write was taken), and a
    /// refusal is not an exception. <paramref name="result"/> is the file's content after the write, trimmed (the
    /// kernel's own reading of the value), or the system's description of the failure.
    /// </summary>
    public static Errno Write(string path, string text, out string result)
    {
        try
        {
            File.WriteAllText(path, text);
            result = File.ReadAllText(path).Trim();
            return Errno.Success;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            result = e.Message;
            return ErrnoOf(e);
        }
    }

    /// <summary>
    /// The errno behind a failed write, among those the kernel's oom_score_adj writers return: EACCES when access
    /// was denied (the oom_score_adj_min rule), ESRCH when the process (its /proc folder) is gone, else the errno
    /// .NET carries in an IOException's HResult on Unix (EINVAL for text that is no number or out of range, ERANGE
    /// for one that does not fit an int). Where no such errno is carried, the system's message decides, and
    /// anything else is EINVAL.
    /// </summary>
    public static Errno ErrnoOf(Exception failure)
    {
        if (failure is null) throw new ArgumentNullException(nameof(failure));
        if (failure is UnauthorizedAccessException) return Errno.EACCES;
        if (failure is FileNotFoundException or DirectoryNotFoundException) return Errno.ESRCH;
        if (failure is IOException && failure.HResult is (int)Errno.ESRCH or (int)Errno.EINVAL or (int)Errno.ERANGE)
            return (Errno)failure.HResult;
        if (failure.Message.Contains("No such process")) return Errno.ESRCH;
        if (failure.Message.Contains("Numerical result out of range")) return Errno.ERANGE;
        return Errno.EINVAL;
    }
}
