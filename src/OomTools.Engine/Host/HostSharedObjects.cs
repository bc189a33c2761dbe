using System;
using System.Collections.Generic;
using System.Globalization;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Host;

/// <summary>
/// Turns what a snapshot read of sharing (<see cref="MemoryDescriptor.ShmemMappings"/> and
/// <see cref="MemoryDescriptor.SmapsRollup"/>) into the machine's <see cref="SharedMemory"/> objects, so a kill gives
/// back shared pages once, with their last mapper, as <c>exit_mmap</c> does.
/// <para>
/// Shmem: one object per identity (the device and inode maps prints, the same in every mm that maps it: a tmpfs file,
/// a memfd, a System V segment, or <c>MAP_SHARED|MAP_ANONYMOUS</c> memory, whose <c>/dev/zero (deleted)</c> inode
/// <c>shmem_zero_setup</c> made once and fork copies with the VMA). Its size is the largest per-mm <c>Rss</c> of the
/// object that every mapper's <c>RssShmem</c> can hold: the model keeps one size per object, every mapper mapping
/// all of it, and the counters stay what <c>/proc</c> says (so <c>oom_badness</c> is unchanged); pages beyond that size
/// stay in the counters of the mms that map them and are not freed by the model. A linked tmpfs file and a System V
/// segment keep their pages after every kill (a segment's IPC_RMID is not visible in maps); an unlinked file, a memfd
/// and shared anon memory are freed with the last mapping.
/// </para>
/// <para>
/// The charge: a page is charged to the cgroup of the task that faulted it first (<c>folio_memcg()</c>), which no
/// file on a host shows; the snapshot charges the object to the cgroup of the mapper that started first.
/// </para>
/// <para>
/// Copy-on-write: a parent and the children it forked without exec (<c>PF_FORKNOEXEC</c>, the same comm) whose
/// smaps_rollup was read get one <see cref="SharedMemoryKind.CowAnon"/> pool charged to the parent's cgroup. A page
/// mapped by k mms counts whole in <c>Anonymous</c> and 1/k in <c>Pss_Anon</c>; taking k as the family's size, an
/// mm's shared anon pages are <c>(Anonymous - Pss_Anon) * k / (k - 1)</c>, and the pool is the smallest of these
/// (every member maps all of it).
/// </para>
/// </summary>
internal static class HostSharedObjects
{
    private const uint PF_FORKNOEXEC = 0x40;

    /// <summary>Builds the shared objects of the processes in <paramref name="procs"/> that became tasks of <paramref name="machine"/>.</summary>
    public static void Build(OomMachine machine, List<HostProcess> procs, Action<string> warn)
    {
        var mapped = new List<(HostProcess Proc, OomTask Task)>();
        foreach (var p in procs)
        {
            if (!p.HasMm || p.Owner is not null) continue;
            if (machine.FindTask(p.Status.Pid) is { Mm: not null } t && (p.ShmemMappings is not null || p.SmapsRollup is not null)) mapped.Add((p, t));
        }
        Shmem(machine, mapped, warn);
        CopyOnWrite(machine, mapped, warn);
    }

    private static void Shmem(OomMachine machine, List<(HostProcess Proc, OomTask Task)> mapped, Action<string> warn)
    {
        // Identity -> its mappers in start order (procs are sorted by start time).
        var objects = new Dictionary<string, List<(OomTask Task, ShmemMapping Map)>>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var (p, t) in mapped)
        {
            if (p.ShmemMappings is null) continue;
            foreach (var s in p.ShmemMappings)
            {
                if (!objects.TryGetValue(s.Inode, out var list))
                {
                    objects[s.Inode] = list = new List<(OomTask, ShmemMapping)>();
                    order.Add(s.Inode);
                }
                list.Add((t, s));
            }
        }
        foreach (var inode in order)
        {
            var list = objects[inode];
            long size = 0;
            foreach (var (_, s) in list) size = Math.Max(size, s.Rss.Value);
            foreach (var (t, _) in list) size = Math.Min(size, t.Mm!.ShmemPages.Value - t.Mm.SharedShmemPages.Value);
            if (size <= 0) continue;
            var first = list[0].Map;
            var kind = first.Kind == ShmemMappingKind.SharedAnonymous ? SharedMemoryKind.SharedAnon : SharedMemoryKind.Shmem;
            bool linked = first.Kind == ShmemMappingKind.SysV || (first.Kind == ShmemMappingKind.TmpfsFile && !first.Unlinked);
            var name = first.Kind == ShmemMappingKind.TmpfsFile && machine.FindShared(first.Path) is null
                ? first.Path
                : string.Format(CultureInfo.InvariantCulture, "{0} ({1})", first.Path, inode);
            Create(machine, name, kind, new Pages(size), list[0].Task, linked, list.ConvertAll(x => x.Task), warn);
        }
    }

    private static void CopyOnWrite(OomMachine machine, List<(HostProcess Proc, OomTask Task)> mapped, Action<string> warn)
    {
        var byPid = new Dictionary<int, (HostProcess Proc, OomTask Task)>();
        foreach (var x in mapped) if (x.Proc.SmapsRollup is not null) byPid[x.Proc.Status.Pid] = x;
        var families = new Dictionary<int, List<OomTask>>();
        var parents = new List<int>();
        foreach (var (p, t) in byPid.Values)
        {
            if ((p.Flags & PF_FORKNOEXEC) == 0 || !byPid.TryGetValue(p.Status.PPid, out var parent) || parent.Proc.Status.Name != p.Status.Name) continue;
            if (!families.TryGetValue(p.Status.PPid, out var children))
            {
                families[p.Status.PPid] = children = new List<OomTask>();
                parents.Add(p.Status.PPid);
            }
            children.Add(t);
        }
        parents.Sort();
        foreach (var ppid in parents)
        {
            var parent = byPid[ppid];
            var members = new List<OomTask> { parent.Task };
            members.AddRange(families[ppid]);
            long k = members.Count, size = long.MaxValue;
            foreach (var t in members)
            {
                var r = byPid[t.Pid].Proc.SmapsRollup!;
                if (r.PssAnon.Value == 0 && r.Anonymous.Value > 0) { size = 0; break; }   // no Pss_Anon before 5.8: unknown
                long shared = Math.Max(0, r.Anonymous.Value - r.PssAnon.Value) * k / (k - 1);
                size = Math.Min(size, Math.Min(shared, t.Mm!.AnonPages.Value - t.Mm.SharedAnonPages.Value));
            }
            if (size <= 0) continue;
            Create(machine, string.Format(CultureInfo.InvariantCulture, "cow:{0}", ppid), SharedMemoryKind.CowAnon, new Pages(size), parent.Task, false, members, warn);
        }
    }

    private static void Create(OomMachine machine, string name, SharedMemoryKind kind, Pages pages, OomTask chargedTo, bool linked, List<OomTask> mappers, Action<string> warn)
    {
        if (machine.FindShared(name) is not null) return;
        try
        {
            var obj = machine.CreateShared(name, kind, pages, chargedTo.Memcg, linked);
            foreach (var t in mappers) machine.MapShared(t.Mm!, obj);
        }
        catch (OomEngineException e)
        {
            warn($"shared object {name} left out: {e.Message}");
        }
    }
}
