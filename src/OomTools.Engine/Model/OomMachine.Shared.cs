using System;
using System.Collections.Generic;
using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

public sealed partial class OomMachine
{
    private List<SharedMemory> shared = new();

    /// <summary>
    /// The shared objects whose pages are still held (mapped, or kept by a linked tmpfs file), in creation order: see
    /// <see cref="SharedMemory"/>. An object leaves the list when its pages are freed.
    /// </summary>
    public IReadOnlyList<SharedMemory> Shared => shared;

    /// <summary>The shared object called <paramref name="name"/>; null when there is none.</summary>
    public SharedMemory? FindShared(string name)
    {
        foreach (var s in shared) if (s.Name == name) return s;
        return null;
    }

    /// <summary>
    /// A shared object of <paramref name="pages"/> resident pages charged to <paramref name="memcg"/>, mapped by no one
    /// yet (<see cref="MapShared"/> adds the mappers). What a snapshot or a document describes; processes are usually
    /// given their objects through <see cref="OomTaskSpec.Shared"/> and <see cref="OomTaskUpdate.Shared"/>.
    /// </summary>
    public SharedMemory CreateShared(string name, SharedMemoryKind kind, Pages pages, MemoryCgroup memcg, bool linked = false)
    {
        if (string.IsNullOrEmpty(name)) throw new OomEngineException(OomError.InvalidArgument, "A shared object needs a name.", name);
        if (FindShared(name) is not null) throw new OomEngineException(OomError.InvalidArgument, $"Machine '{Name}' already has a shared object '{name}'.", name);
        if (pages.Value <= 0) throw new OomEngineException(OomError.InvalidArgument, $"A shared object holds at least one page; {pages} is not a size.", pages);
        if (memcg is null) throw new ArgumentNullException(nameof(memcg));
        if (!ReferenceEquals(FindCgroup(memcg.Path), memcg))
            throw new OomEngineException(OomError.CgroupNotFound, $"Memory cgroup '{memcg.Path}' is not on machine '{Name}'.", memcg.Path);
        var s = new SharedMemory(name, kind, pages, memcg, linked);
        Register(s);
        return s;
    }

    /// <summary>
    /// <paramref name="mm"/> maps every page of <paramref name="obj"/>. Its counter (<c>MM_ANONPAGES</c> for
    /// copy-on-write pages, <c>MM_SHMEMPAGES</c> otherwise) must already count them beside the other objects it maps:
    /// the counters are what <c>/proc</c> and a report print, shared pages included.
    /// </summary>
    public void MapShared(MemoryDescriptor mm, SharedMemory obj)
    {
        if (mm is null) throw new ArgumentNullException(nameof(mm));
        if (obj is null) throw new ArgumentNullException(nameof(obj));
        if (!shared.Contains(obj)) throw new OomEngineException(OomError.InvalidState, $"Shared object '{obj.Name}' is not held on machine '{Name}'.", obj.Name);
        if (obj.mappers.Contains(mm)) return;
        long counter = obj.IsAnon ? mm.anon : mm.shmem, held = (obj.IsAnon ? mm.sharedAnon : mm.sharedShmem) + obj.Pages.Value;
        if (counter < held)
            throw new OomEngineException(OomError.InvalidArgument,
                $"The mm of process {mm.OwnerPid} counts {counter} {(obj.IsAnon ? "anonymous" : "shmem")} pages, fewer than the {held} of the shared objects it would map.", obj.Name);
        Attach(mm, obj);
    }

    internal void Attach(MemoryDescriptor mm, SharedMemory obj)
    {
        obj.mappers.Add(mm);
        (mm.shared ??= new List<SharedMemory>()).Add(obj);
        if (obj.IsAnon) mm.sharedAnon += obj.Pages.Value;
        else mm.sharedShmem += obj.Pages.Value;
    }

    /// <summary>
    /// The rmap side of an unmap (zap): <paramref name="mm"/> no longer maps <paramref name="obj"/>, and its counter
    /// drops by the pages. True when nothing holds the pages any more: they are freed, and the object leaves the
    /// machine (the caller uncharges them from <see cref="SharedMemory.Memcg"/>).
    /// </summary>
    internal bool Unmap(MemoryDescriptor mm, SharedMemory obj)
    {
        if (!obj.mappers.Remove(mm)) return false;
        mm.shared?.Remove(obj);
        long n = obj.Pages.Value;
        if (obj.IsAnon)
        {
            mm.sharedAnon -= n;
            mm.anon = Math.Max(0, mm.anon - n);
        }
        else
        {
            mm.sharedShmem -= n;
            mm.shmem = Math.Max(0, mm.shmem - n);
        }
        if (obj.IsHeld) return false;
        Unregister(obj);
        return true;
    }

    private void Register(SharedMemory s)
    {
        shared.Add(s);
        UsageVersion.Bump();
        (s.Memcg.sharedCharged ??= new List<SharedMemory>()).Add(s);
    }

    private void Unregister(SharedMemory s)
    {
        shared.Remove(s);
        UsageVersion.Bump();
        s.Memcg.sharedCharged?.Remove(s);
    }

    /// <summary>Shared pages charged to <paramref name="memcg"/> itself (not its descendants) and still held.</summary>
    internal static long SharedChargedTo(MemoryCgroup memcg)
    {
        long sum = 0;
        if (memcg.sharedCharged is { } list) foreach (var s in list) sum += s.Pages.Value;
        return sum;
    }

    /// <summary>Pages of every held shared object, each once.</summary>
    internal long SharedPagesHeld()
    {
        long sum = 0;
        foreach (var s in shared) sum += s.Pages.Value;
        return sum;
    }

    /// <summary>The copy's shared objects: the same names, sizes and charges, mapped by the copies of the same mms.</summary>
    private void CloneSharedInto(OomMachine copy, Func<MemoryDescriptor, MemoryDescriptor> mapMm, Func<MemoryCgroup, MemoryCgroup> mapCg)
    {
        copy.shared = new List<SharedMemory>(shared.Count);
        foreach (var s in shared)
        {
            var twin = new SharedMemory(s.Name, s.Kind, s.Pages, mapCg(s.Memcg), s.Linked);
            copy.Register(twin);
            foreach (var mm in s.mappers) copy.Attach(mapMm(mm), twin);
        }
    }
}
