using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;

namespace OomTools.Engine.Audit;

/// <summary>
/// The processes a kill order killed before the one a <see cref="ProtectionReport"/> is about, read as
/// "pid (name)": <see cref="ProtectionReport.DiesBefore"/>. It keeps the pids and the names (the tasks' own comm
/// strings) and makes each text when it is read. A report outlives its audit (a fleet keeps a thousand of them), and
/// its process may die hundreds of OOMs in: five hundred texts made up front were most of what a report kept, and
/// most of what the garbage collector copied while the audits ran. It is a read-only <see cref="IList"/> too, so
/// PowerShell indexes it as it does a List (an index past the end reads as nothing, or is an error under strict
/// mode).
/// </summary>
internal sealed class KilledBefore : IReadOnlyList<string>, IList
{
    private readonly int[] pids;
    private readonly string[] names;

    private KilledBefore(int[] pids, string[] names)
    {
        this.pids = pids;
        this.names = names;
    }

    /// <summary>Nobody was killed before it.</summary>
    internal static readonly KilledBefore None = new KilledBefore(Array.Empty<int>(), Array.Empty<string>());

    /// <summary>The chosen process of each of the first <paramref name="count"/> steps of <paramref name="order"/>.</summary>
    internal static KilledBefore FirstSteps(IReadOnlyList<KillOrderStep> order, int count)
    {
        if (count == 0) return None;
        var pids = new int[count];
        var names = new string[count];
        for (int i = 0; i < count; i++)
        {
            pids[i] = order[i].Pid;
            names[i] = order[i].Name;
        }
        return new KilledBefore(pids, names);
    }

    /// <inheritdoc/>
    public int Count => pids.Length;

    /// <inheritdoc/>
    public string this[int index]
    {
        get
        {
            if ((uint)index >= (uint)pids.Length) throw new ArgumentOutOfRangeException(nameof(index), index, "There is no earlier victim at this index.");
            // Concatenated, not interpolated: on netstandard2.0 interpolation boxes the pid.
            return string.Concat(pids[index].ToString(CultureInfo.InvariantCulture), " (", names[index], ")");
        }
    }

    object? IList.this[int index]
    {
        get => this[index];
        set => throw ReadOnly();
    }

    bool IList.IsReadOnly => true;
    bool IList.IsFixedSize => true;
    bool ICollection.IsSynchronized => false;
    object ICollection.SyncRoot => this;
    int IList.Add(object? value) => throw ReadOnly();
    void IList.Clear() => throw ReadOnly();
    void IList.Insert(int index, object? value) => throw ReadOnly();
    void IList.Remove(object? value) => throw ReadOnly();
    void IList.RemoveAt(int index) => throw ReadOnly();
    bool IList.Contains(object? value) => ((IList)this).IndexOf(value) >= 0;

    int IList.IndexOf(object? value)
    {
        if (value is not string text) return -1;
        for (int i = 0; i < pids.Length; i++)
            if (this[i] == text) return i;
        return -1;
    }

    void ICollection.CopyTo(Array array, int index)
    {
        for (int i = 0; i < pids.Length; i++) array.SetValue(this[i], index + i);
    }

    private static NotSupportedException ReadOnly() => new("The processes killed before are a record of the audit: they cannot be changed.");

    /// <inheritdoc/>
    public IEnumerator<string> GetEnumerator()
    {
        for (int i = 0; i < pids.Length; i++) yield return this[i];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The texts joined with ", ", as PowerShell would show a list.</summary>
    public override string ToString() => string.Join(", ", this);
}
