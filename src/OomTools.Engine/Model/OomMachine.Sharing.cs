using System.Collections.Generic;
using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

public sealed partial class OomMachine
{
    /// <summary>One <see cref="SharedMapping"/> checked against the machine: the object to join, or the one to create.</summary>
    internal sealed class SharingStep
    {
        public SharedMemory? Existing;
        public string Name = "";
        public SharedMemoryKind Kind;
        public Pages Pages;
        public MemoryCgroup Memcg = null!;
        public bool Linked;
        public bool Unlink;
        // A new copy-on-write pool is mapped by the process it was forked from as well.
        public MemoryDescriptor? AlsoMappedBy;
    }

    // The plan of the many processes that map nothing shared (AddTask runs for a million tasks in the bench).
    private static readonly SharingPlan NoSharing = new();

    /// <summary>What a process will map once the checked steps are applied, and the counters that needs.</summary>
    internal sealed class SharingPlan
    {
        public readonly List<SharingStep> Steps = new();
        public long AnonNeeded, ShmemNeeded;
        public bool IsEmpty => Steps.Count == 0;
    }

    /// <summary>
    /// Checks the shared objects <paramref name="mappings"/> names for a process (<paramref name="mm"/>: its mm, null
    /// for one being added; <paramref name="memcg"/>: where it is charged) and returns the plan; throws the error
    /// applying it would. Nothing changes here.
    /// </summary>
    internal SharingPlan ResolveSharing(int pid, MemoryDescriptor? mm, MemoryCgroup memcg, IList<SharedMapping>? mappings)
    {
        var plan = new SharingPlan { AnonNeeded = mm?.sharedAnon ?? 0, ShmemNeeded = mm?.sharedShmem ?? 0 };
        if (mappings is null) return plan;
        var newNames = new HashSet<string>();
        foreach (var map in mappings)
        {
            if (map is null) continue;
            var step = map.Kind == SharedMemoryKind.CowAnon ? ResolveCow(pid, mm, map) : ResolveNamed(memcg, map);
            if (step.Existing is { } e && mm is not null && e.mappers.Contains(mm))
            {
                // Already mapped: only an unlink is left to do.
                if (step.Unlink) plan.Steps.Add(step);
                continue;
            }
            if (!newNames.Add(step.Name))
                throw new OomEngineException(OomError.InvalidArgument, $"Shared object '{step.Name}' is named twice for process {pid}.", step.Name);
            if (step.Kind == SharedMemoryKind.CowAnon) plan.AnonNeeded += step.Pages.Value;
            else plan.ShmemNeeded += step.Pages.Value;
            plan.Steps.Add(step);
        }
        return plan;
    }

    private SharingStep ResolveCow(int pid, MemoryDescriptor? mm, SharedMapping map)
    {
        if (map.With is not { } with)
            throw new OomEngineException(OomError.InvalidArgument, $"Copy-on-write pages are shared with a process: say which one (the parent process {pid} was forked from).", pid);
        if (with == pid) throw new OomEngineException(OomError.InvalidArgument, $"Process {pid} cannot share copy-on-write pages with itself.", with);
        var parent = GetTask(with);
        var pmm = parent.Mm ?? throw new OomEngineException(OomError.InvalidState, $"Process {parent} has no mm whose pages could be shared.", with);
        if (ReferenceEquals(pmm, mm))
            throw new OomEngineException(OomError.InvalidArgument, $"Process {parent} shares process {pid}'s whole mm (CLONE_VM): there is nothing copy-on-write between them.", with);

        SharedMemory? pool = null;
        if (map.Name is { } name)
        {
            pool = FindShared(name);
            if (pool is not null && (pool.Kind != SharedMemoryKind.CowAnon || !pool.mappers.Contains(pmm)))
                throw new OomEngineException(OomError.InvalidArgument, $"Shared object '{name}' is not a copy-on-write pool of process {parent}.", name);
        }
        else
        {
            foreach (var s in pmm.Shared)
            {
                if (s.Kind != SharedMemoryKind.CowAnon) continue;
                if (pool is not null)
                    throw new OomEngineException(OomError.InvalidArgument, $"Process {parent} shares more than one copy-on-write pool ({pool.Name}, {s.Name}): name the one to join.", with);
                pool = s;
            }
        }
        if (pool is not null) return Join(pool, map);

        long free = pmm.anon - pmm.sharedAnon;
        var pages = map.Pages ?? new Pages(free);
        if (pages.Value <= 0)
            throw new OomEngineException(OomError.InvalidArgument, $"Process {parent} has no private anonymous pages left to share copy-on-write ({pages} pages asked).", with);
        if (pages.Value > free)
            throw new OomEngineException(OomError.InvalidArgument, $"Process {parent} has {free} private anonymous pages; it cannot share {pages} copy-on-write.", pages);
        return new SharingStep
        {
            Name = map.Name ?? FreeName($"cow:{with}"),
            Kind = SharedMemoryKind.CowAnon,
            Pages = pages,
            // The parent touched the pages first: they are charged to its cgroup, wherever the child lives.
            Memcg = map.Cgroup is { } cg ? GetCgroup(cg) : parent.Memcg,
            AlsoMappedBy = pmm,
        };
    }

    private SharingStep ResolveNamed(MemoryCgroup memcg, SharedMapping map)
    {
        string what = map.Kind == SharedMemoryKind.Shmem ? "shmem file" : "shared anon region";
        if (string.IsNullOrEmpty(map.Name)) throw new OomEngineException(OomError.InvalidArgument, $"A {what} needs a name.", map.Kind);
        if (map.With is not null) throw new OomEngineException(OomError.InvalidArgument, $"A {what} is named, not shared with a process: leave out the pid.", map.With);
        if (map.Linked is not null && map.Kind != SharedMemoryKind.Shmem)
            throw new OomEngineException(OomError.InvalidArgument, "Only a shmem file is linked or unlinked; a shared anon region never has a name in tmpfs.", map.Name);
        if (FindShared(map.Name!) is { } existing)
        {
            if (existing.Kind != map.Kind)
                throw new OomEngineException(OomError.InvalidArgument, $"Shared object '{existing.Name}' is {existing.Kind}, not a {what}.", map.Name);
            if (map.Linked == true && !existing.Linked)
                throw new OomEngineException(OomError.InvalidArgument, $"Shmem file '{existing.Name}' was unlinked; a removed file cannot be linked again.", map.Name);
            return Join(existing, map);
        }
        if (map.Pages is not { } pages || pages.Value <= 0)
            throw new OomEngineException(OomError.InvalidArgument, $"The {what} '{map.Name}' is new: give its size (at least one page).", map.Name);
        return new SharingStep
        {
            Name = map.Name!,
            Kind = map.Kind,
            Pages = pages,
            Memcg = map.Cgroup is { } cg ? GetCgroup(cg) : memcg,
            Linked = map.Kind == SharedMemoryKind.Shmem && (map.Linked ?? true),
        };
    }

    private static SharingStep Join(SharedMemory existing, SharedMapping map)
    {
        if (map.Pages is { } p && p != existing.Pages)
            throw new OomEngineException(OomError.InvalidArgument,
                $"Shared object '{existing.Name}' holds {existing.Pages} pages; a process joining it maps those (leave the size out, or give {existing.Pages}).", p);
        if (map.Cgroup is { } cg && NormalizePath(cg) != existing.Memcg.Path)
            throw new OomEngineException(OomError.InvalidArgument, $"Shared object '{existing.Name}' is charged to '{existing.Memcg.Path}' already.", cg);
        return new SharingStep
        {
            Existing = existing,
            Name = existing.Name,
            Kind = existing.Kind,
            Pages = existing.Pages,
            Memcg = existing.Memcg,
            Linked = existing.Linked,
            Unlink = map.Linked == false && existing.Linked,
        };
    }

    private string FreeName(string name)
    {
        if (FindShared(name) is null) return name;
        for (int i = 2; ; i++)
            if (FindShared($"{name}#{i}") is null) return $"{name}#{i}";
    }

    /// <summary>
    /// Checks that the counters a process will have hold the shared pages it maps: a counter given (non-null) must
    /// count at least them; one not given is raised to them when it falls short.
    /// </summary>
    internal static void CheckSharedCounters(int pid, SharingPlan plan, Pages? anonGiven, Pages? shmemGiven)
    {
        if (anonGiven is { } a && a.Value < plan.AnonNeeded)
            throw new OomEngineException(OomError.InvalidArgument, $"Process {pid} would count {a} anonymous pages, fewer than the {plan.AnonNeeded} it maps copy-on-write.", a);
        if (shmemGiven is { } s && s.Value < plan.ShmemNeeded)
            throw new OomEngineException(OomError.InvalidArgument, $"Process {pid} would count {s} shmem pages, fewer than the {plan.ShmemNeeded} of the shared objects it maps.", s);
    }

    /// <summary>
    /// Applies a checked plan to <paramref name="mm"/>: new objects are created (a copy-on-write pool is mapped by the
    /// process it was forked from too), the mm maps each, a counter short of its shared pages is raised to them
    /// (total_vm grows with it when <paramref name="growTotalVm"/>), and files are unlinked. Returns the pages the
    /// counters grew by.
    /// </summary>
    internal long ApplySharing(MemoryDescriptor mm, SharingPlan plan, bool growTotalVm)
    {
        if (plan.IsEmpty) return 0;
        long grown = 0;
        if (mm.anon < plan.AnonNeeded) { grown += plan.AnonNeeded - mm.anon; mm.anon = plan.AnonNeeded; }
        if (mm.shmem < plan.ShmemNeeded) { grown += plan.ShmemNeeded - mm.shmem; mm.shmem = plan.ShmemNeeded; }
        if (growTotalVm) mm.totalVm += grown;
        foreach (var step in plan.Steps)
        {
            var obj = step.Existing;
            if (obj is null)
            {
                obj = new SharedMemory(step.Name, step.Kind, step.Pages, step.Memcg, step.Linked);
                Register(obj);
                if (step.AlsoMappedBy is { } parent) Attach(parent, obj);
            }
            if (!obj.mappers.Contains(mm)) Attach(mm, obj);
            if (step.Unlink) obj.Linked = false;
        }
        return grown;
    }

    /// <summary>The shared objects a process being added maps, checked against its spec (before anything changes).</summary>
    private SharingPlan ResolveTaskSharing(OomTaskSpec spec, int pid, MemoryCgroup memcg, OomTask? sharer)
    {
        if (spec.Shared is not { Count: > 0 }) return NoSharing;
        if (sharer is not null)
            throw new OomEngineException(OomError.InvalidArgument, $"A process that shares the mm of {sharer} (CLONE_VM) maps what that mm maps; give the shared objects to {sharer}.", sharer.Pid);
        if (spec.KernelThread || spec.DetachedThreads >= spec.Threads)
            throw new OomEngineException(OomError.InvalidState, $"Process {pid} has no mm that could map shared memory.", pid);
        var plan = ResolveSharing(pid, null, memcg, spec.Shared);
        CheckSharedCounters(pid, plan, spec.AnonPages.Value != 0 ? spec.AnonPages : null, spec.ShmemPages.Value != 0 ? spec.ShmemPages : null);
        return plan;
    }

    /// <summary>An update's shared objects, and its counters against the shared pages the mm maps.</summary>
    private void CheckUpdateSharing(OomTask task, OomTaskUpdate update)
    {
        if (task.Mm is not { } mm)
        {
            if (update.Shared is { Count: > 0 })
                throw new OomEngineException(OomError.InvalidState, $"Process {task} has no mm that could map shared memory.", task.Pid);
            return;
        }
        var plan = ResolveSharing(task.Pid, mm, task.Memcg, update.Shared);
        CheckSharedCounters(task.Pid, plan, update.AnonPages, update.ShmemPages);
    }
}
