namespace OomTools.Engine.Model;

/// <summary>
/// Each other thread's id to the pid of its process: the <see cref="PidTable"/>'s thread slots (the thread ids
/// share the pid pages instead of a Dictionary of their own: bench/, bytes per task).
/// </summary>
internal sealed class ThreadOwnerTable
{
    private readonly PidTable table;

    internal ThreadOwnerTable(PidTable table) => this.table = table;

    /// <summary>Whether <paramref name="tid"/> is a thread id of a process (not its pid).</summary>
    public bool ContainsKey(int tid) => table.Raw(tid) < 0;

    /// <summary>The pid of the process with a thread <paramref name="tid"/>, if there is one.</summary>
    public bool TryGetValue(int tid, out int owner)
    {
        int raw = table.Raw(tid);
        var task = raw < 0 ? table.ProcessOf(raw) : null;
        owner = task?.Pid ?? 0;
        return task is not null;
    }

    /// <summary>
    /// Enters thread <paramref name="tid"/> of the process whose pid is the value. A process not yet in the
    /// pid table (one being added) is entered with all its threads when it is.
    /// </summary>
    public int this[int tid]
    {
        set
        {
            int raw = table.Raw(value);
            if (raw > 0) table.SetRaw(tid, -raw);
        }
    }

    /// <summary>Takes thread id <paramref name="tid"/> out; false when it was not a thread's.</summary>
    public bool Remove(int tid)
    {
        if (!ContainsKey(tid)) return false;
        table.SetRaw(tid, 0);
        return true;
    }
}
