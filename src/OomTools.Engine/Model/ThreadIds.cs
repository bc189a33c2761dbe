using System.Collections.Generic;

namespace OomTools.Engine.Model;

/// <summary>
/// The other threads of a process (after its leader), stored as one int each instead of an
/// <see cref="OomThread"/>'s 8 bytes (bench/: bytes per task): the tid, or its complement when the thread has
/// dropped the mm. Thread ids are positive (alloc_pid gives 1..PID_MAX_LIMIT; the engine takes no other), so the
/// sign is free. Read and written as <see cref="OomThread"/> values.
/// </summary>
internal readonly struct ThreadIds
{
    private static readonly int[] None = System.Array.Empty<int>();
    private readonly int[]? ids;

    private ThreadIds(int[] ids) => this.ids = ids;

    /// <summary>Room for <paramref name="count"/> threads, to fill in.</summary>
    internal static ThreadIds OfLength(int count) => new(count == 0 ? None : new int[count]);

    /// <summary>The ids as stored (what an OomTask keeps), or null for none.</summary>
    internal int[]? Raw => ids is { Length: > 0 } ? ids : null;

    /// <summary>Wraps ids as stored.</summary>
    internal static ThreadIds FromRaw(int[]? raw) => new(raw ?? None);

    /// <summary>The threads of <paramref name="threads"/>, each stored in its int.</summary>
    public static implicit operator ThreadIds(OomThread[] threads)
    {
        var ids = OfLength(threads.Length);
        for (int i = 0; i < threads.Length; i++) ids[i] = threads[i];
        return ids;
    }

    /// <summary>How many other threads.</summary>
    public int Length => ids?.Length ?? 0;

    /// <summary>Thread <paramref name="i"/> (0 is the first after the leader).</summary>
    public OomThread this[int i]
    {
        get
        {
            int v = ids![i];
            return v >= 0 ? new OomThread(v, true) : new OomThread(~v, false);
        }
        set => ids![i] = value.HasMm ? value.Tid : ~value.Tid;
    }

    /// <summary>The threads in order (<c>for_each_thread</c> after the leader).</summary>
    public Enumerator GetEnumerator() => new(ids ?? None);

    /// <summary>Copies the threads into <paramref name="to"/> from <paramref name="at"/> on.</summary>
    internal void CopyTo(IList<OomThread> to, int at)
    {
        for (int i = 0; i < Length; i++) to[at + i] = this[i];
    }

    /// <summary>Walks the stored ints as threads.</summary>
    public struct Enumerator
    {
        private readonly int[] ids;
        private int i;

        internal Enumerator(int[] ids)
        {
            this.ids = ids;
            i = -1;
        }

        /// <summary>The current thread.</summary>
        public OomThread Current
        {
            get
            {
                int v = ids[i];
                return v >= 0 ? new OomThread(v, true) : new OomThread(~v, false);
            }
        }

        /// <summary>Steps to the next thread.</summary>
        public bool MoveNext() => ++i < ids.Length;
    }
}
