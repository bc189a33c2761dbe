namespace OomTools.Engine.Model;

/// <summary>
/// One thread of a process. Only what the OOM killer looks at: its id, and whether it still has the
/// process's mm attached (a thread that passed <c>exit_mm()</c>, or a leader that exited first, has none).
/// </summary>
public readonly struct OomThread
{
    /// <summary>The thread id (<c>task-&gt;pid</c> of this thread).</summary>
    public int Tid { get; }
    /// <summary><c>task-&gt;mm</c> is still set for this thread: it has not passed <c>exit_mm()</c>, so find_lock_task_mm can use it.</summary>
    public bool HasMm { get; }

    /// <summary>Thread <paramref name="tid"/>, with or without the process's mm attached.</summary>
    public OomThread(int tid, bool hasMm)
    {
        Tid = tid;
        HasMm = hasMm;
    }

    /// <summary>The tid, followed by <c>(mm detached)</c> when the thread has dropped the mm.</summary>
    public override string ToString() => HasMm ? $"{Tid}" : $"{Tid} (mm detached)";
}
