using System.Collections.Generic;

namespace OomTools.Engine.Model;

/// <summary>
/// The pid index, in pages of 1024 slots (the kernel's pid IDR is a radix tree for the same reason): 8 bytes a
/// number where ids are dense, as they are, instead of a Dictionary entry's 24 bytes plus bucket and spare capacity.
/// Pids and thread ids are one number space (alloc_pid gives both), so one table holds both: a process's slot and
/// each of its other threads' slots hold the process, and a slot is a pid's when the process's pid is that number.
/// </summary>
internal sealed class PidTable
{
    private const int Shift = 10, PageSize = 1 << Shift, Mask = PageSize - 1;
    private readonly Dictionary<int, OomTask?[]> pages = new();
    private OomTask?[]? lastPage;
    private int lastKey = -1;
    private ThreadOwnerTable? threads;

    private OomTask?[]? Page(int id, bool create)
    {
        int key = id >> Shift;
        if (key == lastKey) return lastPage;
        if (!pages.TryGetValue(key, out var page))
        {
            if (!create) return null;
            pages[key] = page = new OomTask?[PageSize];
        }
        lastKey = key;
        lastPage = page;
        return page;
    }

    /// <summary>The process in slot <paramref name="id"/>: the one with that pid, or the one with a thread of that id.</summary>
    internal OomTask? Slot(int id) => Page(id, false) is { } p ? p[id & Mask] : null;

    /// <summary>Fills (or, with null, empties) slot <paramref name="id"/>.</summary>
    internal void SetSlot(int id, OomTask? task)
    {
        if (Page(id, task is not null) is { } p) p[id & Mask] = task;
    }

    /// <summary>Whether a process has pid <paramref name="pid"/>.</summary>
    public bool ContainsKey(int pid) => Slot(pid) is { } t && t.Pid == pid;

    /// <summary>The process with pid <paramref name="pid"/>, if there is one.</summary>
    public bool TryGetValue(int pid, out OomTask task)
    {
        var t = Slot(pid);
        task = (t is not null && t.Pid == pid ? t : null)!;
        return task is not null;
    }

    /// <summary>Enters a process under its pid, and under the ids of its other threads.</summary>
    public OomTask this[int pid]
    {
        set
        {
            SetSlot(pid, value);
            foreach (var thread in value.otherThreads) SetSlot(thread.Tid, value);
        }
    }

    /// <summary>Takes the process with pid <paramref name="pid"/> out (its threads' ids go through <see cref="Threads"/>); false when there is none.</summary>
    public bool Remove(int pid)
    {
        if (!ContainsKey(pid)) return false;
        SetSlot(pid, null);
        return true;
    }

    /// <summary>The same slots seen as each other thread's id to the pid of its process.</summary>
    internal ThreadOwnerTable Threads => threads ??= new ThreadOwnerTable(this);
}
