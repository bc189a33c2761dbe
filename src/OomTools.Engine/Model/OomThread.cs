namespace OomTools.Engine.Model;

/// <summary>
/// One thread of a process. Only what the OOM killer looks at: its id, and whether it still has the
/// process's mm attached (a thread that passed <c>exit_mm()</c>, or a leader that exited first, has none).
/// </summary>
public readonly struct OomThread
{
    public int Tid { get; }
    public bool HasMm { get; }

    public OomThread(int tid, bool hasMm)
    {
        Tid = tid;
        HasMm = hasMm;
    }

    public override string ToString() => HasMm ? $"{Tid}" : $"{Tid} (mm detached)";
}
