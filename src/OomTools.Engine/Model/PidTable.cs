using System.Collections.Generic;

namespace OomTools.Engine.Model;

/// <summary>
/// The pid index as pages of 1024 slots (the kernel's pid IDR is a radix tree for the same reason):
/// 8 bytes a pid where pids are dense, as they are, instead of a Dictionary entry's 24 bytes plus bucket and
/// spare capacity (about 39 bytes a task at 1,000,000 tasks).
/// </summary>
internal sealed class PidTable
{
    private const int Shift = 10, PageSize = 1 << Shift, Mask = PageSize - 1;
    private readonly Dictionary<int, OomTask?[]> pages = new();
    private OomTask?[]? lastPage;
    private int lastKey = -1;

    private OomTask?[]? Page(int pid, bool create)
    {
        int key = pid >> Shift;
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

    public bool ContainsKey(int pid) => Page(pid, false) is { } p && p[pid & Mask] is not null;

    public bool TryGetValue(int pid, out OomTask task)
    {
        task = (Page(pid, false) is { } p ? p[pid & Mask] : null)!;
        return task is not null;
    }

    public OomTask this[int pid] { set => Page(pid, true)![pid & Mask] = value; }

    public bool Remove(int pid)
    {
        if (Page(pid, false) is not { } p || p[pid & Mask] is null) return false;
        p[pid & Mask] = null;
        return true;
    }
}
