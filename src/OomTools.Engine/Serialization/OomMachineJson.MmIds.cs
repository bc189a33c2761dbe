using System.Collections.Generic;
using OomTools.Engine.Model;

namespace OomTools.Engine.Serialization;

public static partial class OomMachineJson
{
    /// <summary>
    /// The ids the document gives the machine's mms: 1, 2, ... in order of first appearance along the task list (mm
    /// before oom_mm). An mm is looked for first in a table indexed by its owner's pid (an owner nearly always owns one
    /// mm, and the tasks come mostly in pid order, so the table is walked forward: a hash table of a million mms cost a
    /// cache miss or two for each), then, when another mm took its owner's slot first or its owner is past the table,
    /// in a table by reference. A slot, once taken, is never given up: an mm whose owner's slot is empty has not been
    /// seen. Nothing changes an mm while the machine is written, its owner included.
    /// </summary>
    private sealed class MmIds
    {
        private readonly MemoryDescriptor?[] byOwner;
        private readonly int[] ids;
        private readonly Dictionary<MemoryDescriptor, long> others = new(ReferenceEqualityComparer.Instance);
        private int count;

        public MmIds(OomMachine m)
        {
            int maxPid = 0;
            foreach (var t in m.Tasks)
                if (t.Pid > maxPid) maxPid = t.Pid;
            // Only where the pids are dense: a host's few hundred processes may have pids in the millions.
            int size = maxPid < 4L * m.Tasks.Count + 1024 ? maxPid + 1 : 0;
            byOwner = new MemoryDescriptor?[size];
            ids = new int[size];
        }

        /// <summary>The mm's id, a new one the first time it is asked for.</summary>
        public long IdOf(MemoryDescriptor mm)
        {
            int owner = mm.OwnerPid;
            if ((uint)owner < (uint)byOwner.Length)
            {
                var first = byOwner[owner];
                if (ReferenceEquals(first, mm)) return ids[owner];
                if (first is null)
                {
                    byOwner[owner] = mm;
                    return ids[owner] = ++count;
                }
            }
            if (!others.TryGetValue(mm, out var id)) others[mm] = id = ++count;
            return id;
        }

        /// <summary>The mm's id, when the tasks written so far have given it one.</summary>
        public bool TryGet(MemoryDescriptor mm, out long id)
        {
            int owner = mm.OwnerPid;
            if ((uint)owner < (uint)byOwner.Length && ReferenceEquals(byOwner[owner], mm))
            {
                id = ids[owner];
                return true;
            }
            return others.TryGetValue(mm, out id);
        }
    }
}
