using System.Collections.Generic;

namespace OomTools.Engine.Model;

/// <summary>
/// The pid index, in pages of 1024 slots (the kernel's pid IDR is a radix tree for the same reason). Pids and
/// thread ids are one number space (alloc_pid gives both), so one table holds both: a process's slot says
/// "the process numbered n", each of its other threads' slots "a thread of the process numbered n".
/// <para>
/// A slot is an int, not a reference to the process (4 bytes a number instead of 8; bench/: bytes per task): n is
/// the process's place on the machine's task list, which the table reads. Places move down as earlier processes
/// leave the list, so the table keeps the numbers of those that left since it last numbered the list, and a
/// process's place is its number less how many of them were lower; it numbers the whole list again once they are
/// many.
/// </para>
/// </summary>
internal sealed class PidTable
{
    private const int Shift = 10, PageSize = 1 << Shift, Mask = PageSize - 1;
    // A slot: 0 empty, n + 1 the pid of process n, -(n + 1) a thread id of process n.
    // Each page carries its key in one more slot, so the last page used is one reference (a reader never sees
    // the key of one page with another).
    private readonly Dictionary<int, int[]> pages = new();
    private int[]? lastPage;
    private ThreadOwnerTable? threads;
    // The machine's task list, in the order the numbers follow; taken at the first Add.
    private List<OomTask>? list;
    // Numbers handed out since the list was last numbered, and those of the processes that left since, ascending.
    private int numbered;
    private readonly List<int> gone = new();

    private int[]? Page(int id, bool create)
    {
        int key = id >> Shift;
        var last = lastPage;
        if (last is not null && last[PageSize] == key) return last;
        if (!pages.TryGetValue(key, out var page))
        {
            if (!create) return null;
            page = new int[PageSize + 1];
            page[PageSize] = key;
            pages[key] = page;
        }
        lastPage = page;
        return page;
    }

    /// <summary>The raw slot of <paramref name="id"/> (0 when empty).</summary>
    internal int Raw(int id) => id >= 0 && Page(id, false) is { } p ? p[id & Mask] : 0;

    /// <summary>Fills (or, with 0, empties) slot <paramref name="id"/>.</summary>
    internal void SetRaw(int id, int raw)
    {
        if (Page(id, raw != 0) is { } p) p[id & Mask] = raw;
    }

    /// <summary>The process a non-empty slot names (by its number), if it is on the list.</summary>
    internal OomTask? ProcessOf(int raw)
    {
        if (raw == 0 || list is null) return null;
        int n = (raw > 0 ? raw : -raw) - 1;
        int at = n;
        if (gone.Count > 0)
        {
            int i = gone.BinarySearch(n);
            at -= i >= 0 ? i : ~i;
        }
        return (uint)at < (uint)list.Count ? list[at] : null;
    }

    /// <summary>Whether a process has pid <paramref name="pid"/>.</summary>
    public bool ContainsKey(int pid) => Raw(pid) > 0;

    /// <summary>The process with pid <paramref name="pid"/>, if there is one.</summary>
    public bool TryGetValue(int pid, out OomTask task)
    {
        int raw = Raw(pid);
        var t = raw > 0 ? ProcessOf(raw) : null;
        task = (t is not null && t.Pid == pid ? t : null)!;   // a check that costs nothing: the process is loaded anyway
        return task is not null;
    }

    /// <summary>
    /// Enters a process just put at the end of <paramref name="tasks"/> (the machine's task list, the same list at
    /// every call) under its pid, and under the ids of its other threads.
    /// </summary>
    internal void Add(OomTask task, List<OomTask> tasks)
    {
        if (list is null) list = tasks;
        else if (!ReferenceEquals(list, tasks)) throw new System.InvalidOperationException("A pid table follows one task list.");
        bool inStep = tasks.Count == numbered + 1 - gone.Count && ReferenceEquals(tasks[tasks.Count - 1], task);
        // Renumbering costs a write per pid and thread id; after as many leavers as an eighth of the list, a lookup's
        // search among them costs more than that write spread over them.
        if (!inStep || (gone.Count >= 64 && gone.Count > tasks.Count / 8))
        {
            Renumber();
            return;
        }
        Enter(task, ++numbered);
    }

    private void Enter(OomTask task, int raw)
    {
        SetRaw(task.Pid, raw);
        foreach (var thread in task.otherThreads) SetRaw(thread.Tid, -raw);
    }

    private void Renumber()
    {
        for (int i = 0; i < list!.Count; i++) Enter(list[i], i + 1);
        numbered = list.Count;
        gone.Clear();
    }

    /// <summary>Takes the process with pid <paramref name="pid"/> out (its threads' ids go through <see cref="Threads"/>); false when there is none.</summary>
    public bool Remove(int pid)
    {
        int raw = Raw(pid);
        if (raw <= 0) return false;
        SetRaw(pid, 0);
        int n = raw - 1, i = gone.BinarySearch(n);
        if (i < 0) gone.Insert(~i, n);
        return true;
    }

    /// <summary>The same slots seen as each other thread's id to the pid of its process.</summary>
    internal ThreadOwnerTable Threads => threads ??= new ThreadOwnerTable(this);
}
