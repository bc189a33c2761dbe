using System;
using System.Collections.Generic;
using System.IO;
using OomTools.Engine.Model;

namespace OomTools.Engine.Host;

/// <summary>
/// The part of a snapshot that reads how processes share memory: which use one mm (<see cref="MmGroups"/> through
/// <c>kcmp</c>), which are in vfork (<see cref="ProcVfork"/>), what <c>smaps_rollup</c> says of the mms that may share
/// anonymous pages (<see cref="ForkSharers"/>), and which shmem objects each mm with shmem pages maps
/// (<see cref="SmapsReader"/>).
/// </summary>
internal static class HostMemorySharing
{
    /// <summary>Fills <see cref="HostProcess.Owner"/>, <see cref="HostProcess.InVfork"/> and the smaps readings.</summary>
    public static void Find(List<HostProcess> procs, HostSnapshotOptions o, Action<string> warn)
    {
        var identity = o.MmIdentity ?? (IsLiveProc(o) ? new KcmpMmIdentity() : null);
        if (identity is not null) FindSharers(procs, identity, warn);
        FindVfork(procs, o, warn);
        if (o.ReadSmaps) ReadSmaps(procs, o, warn);
    }

    /// <summary>The proc root is this host's own procfs, read from disk: kcmp's pids are its pids.</summary>
    internal static bool IsLiveProc(HostSnapshotOptions o)
    {
        if (o.FileSystem is not DiskFileSystem) return false;
        try { return Path.GetFullPath(o.ProcRoot).TrimEnd('/') == "/proc"; }
        catch (Exception e) when (e is ArgumentException or NotSupportedException or PathTooLongException) { return false; }
    }

    private static void FindSharers(List<HostProcess> procs, IMmIdentity identity, Action<string> warn)
    {
        var groups = new MmGroups(identity);
        for (int i = 0; i < procs.Count; i++)
        {
            var p = procs[i];
            if (!p.HasMm) continue;
            int owner = groups.Owner(i, p.MmStatus.Pid, p.MmStatus.VmSize.Value);
            if (owner >= 0) p.Owner = procs[owner];
        }
        if (groups.Failures > 0)
            warn($"{groups.Failures} of {groups.Calls} mm comparisons failed ({groups.FirstError}): those processes keep an mm of their own");
    }

    private static void FindVfork(List<HostProcess> procs, HostSnapshotOptions o, Action<string> warn)
    {
        Dictionary<int, HostProcess>? byPid = null;
        var waits = new Dictionary<int, bool>();
        foreach (var p in procs)
        {
            if (!p.HasMm || p.Owner is null) continue; // a vfork child always shares an earlier mm: its parent's
            byPid ??= ByPid(procs);
            if (!byPid.TryGetValue(p.Status.PPid, out var parent) || ReferenceEquals(parent, p) || !ReferenceEquals(parent.MmRoot, p.MmRoot)) continue;
            if (!waits.TryGetValue(parent.Status.Pid, out var waiting))
                waits[parent.Status.Pid] = waiting = ProcVfork.ParentWaits(o.FileSystem, o.ProcRoot, parent.Status.Pid, warn);
            p.InVfork = waiting;
        }
    }

    private static Dictionary<int, HostProcess> ByPid(List<HostProcess> procs)
    {
        var d = new Dictionary<int, HostProcess>();
        foreach (var p in procs) d[p.Status.Pid] = p;
        return d;
    }

    /// <summary>
    /// The mms (their owners) whose anonymous pages another mm may map, the only ones whose smaps_rollup is read:
    /// it walks the page tables and costs about ten reads of status. Anonymous pages are shared between mms only by
    /// fork's copy-on-write, so by a process forked without exec (<c>PF_FORKNOEXEC</c>, cleared by exec) and its
    /// parent. (KSM's merged pages are left out.) Shmem is read per object from maps instead
    /// (<see cref="ShmemMapping"/>); page-cache pages are shared by every mm mapping the file, and no kill frees them.
    /// </summary>
    internal static HashSet<HostProcess> ForkSharers(List<HostProcess> procs)
    {
        const uint PF_FORKNOEXEC = 0x40;
        var parents = new HashSet<int>();
        foreach (var p in procs)
            if (p.HasMm && (p.Flags & PF_FORKNOEXEC) != 0) parents.Add(p.Status.PPid);
        var roots = new HashSet<HostProcess>();
        foreach (var p in procs)
            if (p.HasMm && ((p.Flags & PF_FORKNOEXEC) != 0 || parents.Contains(p.Status.Pid))) roots.Add(p.MmRoot);
        return roots;
    }

    private static void ReadSmaps(List<HostProcess> procs, HostSnapshotOptions o, Action<string> warn)
    {
        var fs = o.FileSystem;
        int denied = 0;
        string? Quiet(string path)
        {
            try { return fs.ReadText(path); }
            catch (UnauthorizedAccessException) { denied++; return null; }
        }
        var forkSharers = ForkSharers(procs);
        foreach (var p in procs)
        {
            if (!p.HasMm || p.Owner is not null) continue;
            if (forkSharers.Contains(p)) p.SmapsRollup = SmapsReader.ParseRollup(Quiet(HostSnapshot.Join(p.MmDir, "smaps_rollup")), o.PageSize);
            if (p.MmStatus.RssShmem.Value == 0 || Quiet(HostSnapshot.Join(p.MmDir, "maps")) is not { } maps) continue;
            var tmpfs = SmapsReader.TmpfsDevices(Quiet(HostSnapshot.Join(p.MmDir, "mountinfo")));
            var objects = SmapsReader.ParseShmem(maps, o.PageSize, tmpfs, withSizes: false);
            // One shmem object mapped: every shmem page the mm maps (RssShmem, MM_SHMEMPAGES) is its. More: smaps splits them.
            if (objects.Count == 1) objects[0].Rss = p.MmStatus.RssShmem.ToPages(o.PageSize);
            else if (objects.Count > 1 && Quiet(HostSnapshot.Join(p.MmDir, "smaps")) is { } smaps) objects = SmapsReader.ParseShmem(smaps, o.PageSize, tmpfs, withSizes: true);
            p.ShmemMappings = objects;
        }
        if (denied > 0)
            warn($"cannot read smaps_rollup, maps or smaps of {denied} processes: permission denied (their private and shared pages are not known; the scores do not need them)");
    }
}
