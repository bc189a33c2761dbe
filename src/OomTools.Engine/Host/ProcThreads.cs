using System;
using System.Collections.Generic;
using System.Globalization;

namespace OomTools.Engine.Host;

/// <summary>
/// The threads of a process whose leader has no mm: a group leader that called <c>pthread_exit</c> (or
/// <c>SYS_exit</c>) while other threads run stays a zombie (<c>State: Z</c>, no Vm lines in its status) until the last
/// one exits, and the kernel's <c>find_lock_task_mm</c> scores the process through the first thread that still has
/// the mm. <c>/proc/PID/task</c> lists the threads in the kernel's thread-list order; each
/// <c>task/TID/status</c> shows that thread's view of the mm.
/// </summary>
internal sealed class ProcThreads
{
    /// <summary>The status of the first thread with an mm (its Vm counters are the process's mm).</summary>
    public ProcStatus? MmThread;
    /// <summary>The threads after the leader, those without an mm first (the model takes detached threads leader first).</summary>
    public readonly List<int> OtherTids = new();
    /// <summary>Threads that have dropped the mm, the leader included.</summary>
    public int Detached = 1;

    /// <summary>Reads <c>PID/task/*/status</c> under <paramref name="baseDir"/>; null when no thread is left.</summary>
    public static ProcThreads? Read(IHostFileSystem fs, string baseDir, int pid, Action<string> warn)
    {
        var t = new ProcThreads();
        var live = new List<int>();
        var taskDir = HostSnapshot.Join(baseDir, "task");
        foreach (var dir in fs.Folders(taskDir))
        {
            if (!int.TryParse(dir, NumberStyles.None, CultureInfo.InvariantCulture, out var tid) || tid == pid) continue;
            var text = HostSnapshot.Read(fs, HostSnapshot.Join(taskDir, dir + "/status"), warn);
            if (text is null || ProcStatus.Parse(text) is not { } s) continue; // exited meanwhile
            if (s.HasMm)
            {
                t.MmThread ??= s;
                live.Add(tid);
            }
            else
            {
                t.OtherTids.Add(tid);
                t.Detached++;
            }
        }
        t.OtherTids.AddRange(live);
        return t.OtherTids.Count == 0 ? null : t;
    }
}
