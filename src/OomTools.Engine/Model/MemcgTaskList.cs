using System.Collections;
using System.Collections.Generic;

namespace OomTools.Engine.Model;

/// <summary>
/// The processes attached to one memory cgroup, in arrival order: what <c>mem_cgroup_scan_tasks()</c> walks.
/// A cgroup keeps its own list, except the root of a machine while every process in it arrived by being created
/// there: its arrival order is then the machine's task list (creation order) read through, keeping those whose
/// memcg is the root, and it keeps only a count. Most processes of a big machine sit in the root, and a second
/// copy of the task list for them cost 8 bytes a process (bench/: bytes per task). The first change the machine's
/// list cannot stand for (a process moved in, the list reordered or cleared) makes the root a list of its own.
/// </summary>
internal sealed class MemcgTaskList : IReadOnlyList<OomTask>
{
    private readonly MemoryCgroup owner;
    // The machine whose task list stands for this one while own is null.
    private OomMachine? machine;
    private List<OomTask>? own;
    private int count;

    internal MemcgTaskList(MemoryCgroup owner, bool followsMachine)
    {
        this.owner = owner;
        if (!followsMachine) own = new List<OomTask>();
    }

    /// <summary>Makes this (a root's list, still read through) read <paramref name="m"/>'s task list.</summary>
    internal void Follow(OomMachine m) => machine = m;

    private List<OomTask> Machine => machine is null ? NoTasks : (List<OomTask>)machine.Tasks;
    private static readonly List<OomTask> NoTasks = new();

    /// <summary>Whether the list is read through the machine's (for the tests).</summary>
    internal bool ReadsThrough => own is null;

    /// <summary>How many processes are attached.</summary>
    public int Count => own?.Count ?? count;

    /// <summary>The <paramref name="index"/>th process to arrive (of those still attached).</summary>
    public OomTask this[int index]
    {
        get
        {
            if (own is not null) return own[index];
            var all = Machine;
            if (count == all.Count) return all[index];
            if ((uint)index >= (uint)count) throw new System.ArgumentOutOfRangeException(nameof(index));
            foreach (var t in this)
                if (index-- == 0) return t;
            throw new System.ArgumentOutOfRangeException(nameof(index));
        }
    }

    /// <summary>
    /// Attaches <paramref name="task"/> at the end. Read through, that stays so when the task is the last of the
    /// machine's list (it is being created here, or created last and moved here): the machine's order then still
    /// lists it after every other process attached here.
    /// </summary>
    internal void Add(OomTask task)
    {
        if (own is null)
        {
            var all = Machine;
            if (all.Count > 0 && ReferenceEquals(all[all.Count - 1], task))
            {
                count++;
                return;
            }
            OwnList();
        }
        own!.Add(task);
    }

    /// <summary>
    /// Detaches <paramref name="task"/>, keeping the others' order; false when it is not attached. Read through,
    /// the caller is taking it off the machine's list or out of this cgroup, which the reading follows;
    /// <paramref name="listed"/> false says the task was not on the machine's list (so not counted here either).
    /// </summary>
    internal bool Remove(OomTask task, bool listed = true)
    {
        if (own is null)
        {
            if (!listed || !ReferenceEquals(task.Memcg, owner) || count == 0) return false;
            count--;
            return true;
        }
        return OomMachine.RemoveSame(own, task);
    }

    /// <summary>Detaches every process (to attach them again in another order).</summary>
    internal void Clear() => own = new List<OomTask>();

    /// <summary>Fills <paramref name="copy"/> (the same cgroup's list on a copy of the machine) with the copies of these processes.</summary>
    internal void CopyTo(MemcgTaskList copy, TaskTwins twins)
    {
        // The copy's processes are all on its machine's list with their cgroups set: a root read through stays so
        // with the same count; any other list is copied as it is.
        if (own is null && copy.own is null)
        {
            copy.count = count;
            return;
        }
        copy.own = new List<OomTask>(Count);
        foreach (var t in this) copy.own.Add(twins[t]);
    }

    private void OwnList()
    {
        var list = new List<OomTask>(count);
        foreach (var t in this) list.Add(t);
        own = list;
    }

    /// <summary>The processes in arrival order.</summary>
    public Enumerator GetEnumerator() => new(this);
    IEnumerator<OomTask> IEnumerable<OomTask>.GetEnumerator() => GetEnumerator();
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>
    /// Walks the cgroup's own list, or the machine's keeping the root's processes (all of it when they all are);
    /// either way a change to the list walked during the walk throws, as a List's enumerator does.
    /// </summary>
    public struct Enumerator : IEnumerator<OomTask>
    {
        private List<OomTask>.Enumerator inner;
        private readonly MemoryCgroup? filter;

        internal Enumerator(MemcgTaskList list)
        {
            if (list.own is not null)
            {
                inner = list.own.GetEnumerator();
                filter = null;
            }
            else
            {
                var all = list.Machine;
                inner = all.GetEnumerator();
                filter = list.count == all.Count ? null : list.owner;
            }
        }

        /// <summary>The current process.</summary>
        public OomTask Current => inner.Current;
        object IEnumerator.Current => Current;

        /// <summary>Steps to the next process attached here.</summary>
        public bool MoveNext()
        {
            if (filter is null) return inner.MoveNext();
            while (inner.MoveNext())
                if (ReferenceEquals(inner.Current.Memcg, filter)) return true;
            return false;
        }

        /// <summary>Not supported, as for a List's enumerator once moved.</summary>
        public void Reset() => throw new System.NotSupportedException();

        /// <summary>Ends the walk.</summary>
        public void Dispose() => inner.Dispose();
    }
}
