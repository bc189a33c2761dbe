using System.Collections.Generic;

namespace OomTools.Engine.Model;

/// <summary>
/// A map from pid (or thread id) to <typeparamref name="T"/> as pages of 1024 slots (the kernel's pid IDR is a
/// radix tree for the same reason): a slot a number where pids are dense, as they are, instead of a Dictionary
/// entry's 12 to 24 bytes plus bucket and spare capacity. The default value of <typeparamref name="T"/> marks an
/// empty slot, so it is not a value that can be stored.
/// </summary>
internal class PidPages<T>
{
    private const int Shift = 10, PageSize = 1 << Shift, Mask = PageSize - 1;
    private static readonly EqualityComparer<T> Eq = EqualityComparer<T>.Default;
    private readonly Dictionary<int, T[]> pages = new();
    private T[]? lastPage;
    private int lastKey = -1;

    private T[]? Page(int pid, bool create)
    {
        int key = pid >> Shift;
        if (key == lastKey) return lastPage;
        if (!pages.TryGetValue(key, out var page))
        {
            if (!create) return null;
            pages[key] = page = new T[PageSize];
        }
        lastKey = key;
        lastPage = page;
        return page;
    }

    /// <summary>Whether <paramref name="pid"/> has a value.</summary>
    public bool ContainsKey(int pid) => Page(pid, false) is { } p && !Eq.Equals(p[pid & Mask], default!);

    /// <summary>The value of <paramref name="pid"/>, if it has one.</summary>
    public bool TryGetValue(int pid, out T value)
    {
        value = Page(pid, false) is { } p ? p[pid & Mask] : default!;
        return !Eq.Equals(value, default!);
    }

    /// <summary>Sets the value of <paramref name="pid"/> (not the default: that is "none").</summary>
    public T this[int pid] { set => Page(pid, true)![pid & Mask] = value; }

    /// <summary>Empties the slot of <paramref name="pid"/>; false when it was empty.</summary>
    public bool Remove(int pid)
    {
        if (Page(pid, false) is not { } p || Eq.Equals(p[pid & Mask], default!)) return false;
        p[pid & Mask] = default!;
        return true;
    }

    /// <summary>Copies every page of <paramref name="from"/> into this (empty) table.</summary>
    protected void CopyFrom(PidPages<T> from)
    {
        foreach (var kv in from.pages) pages[kv.Key] = (T[])kv.Value.Clone();
    }
}
