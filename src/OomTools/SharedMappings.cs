using System.Collections.Generic;
using OomTools.Engine;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools;

/// <summary>
/// The sharing parameters of Add-OomTask and Set-OomTask as the engine's <see cref="SharedMapping"/>s: pages still
/// shared copy-on-write with a process, a MAP_SHARED anonymous region, a shmem file (linked unless -Unlinked).
/// </summary>
internal static class SharedMappings
{
    public static List<SharedMapping> From(int? cowWith, Pages? cowPages, string? region, string? file, Pages? size, bool? unlinked)
    {
        var list = new List<SharedMapping>();
        // An empty CSV cell binds as "" or 0: not given.
        if (string.IsNullOrWhiteSpace(region)) region = null;
        if (string.IsNullOrWhiteSpace(file)) file = null;
        if (cowWith is 0) cowWith = null;
        if (cowPages is { Value: 0 }) cowPages = null;
        if (size is { Value: 0 }) size = null;
        if (cowPages is not null && cowWith is null)
            throw new OomEngineException(OomError.InvalidArgument, "A copy-on-write size needs -CowSharedWith: the process whose pages are shared.", cowPages);
        if (size is not null && region is null && file is null)
            throw new OomEngineException(OomError.InvalidArgument, "A shared size needs -SharedAnonRegion or -ShmemFile: the object it is the size of.", size);
        if (unlinked is not null && file is null)
            throw new OomEngineException(OomError.InvalidArgument, "Only a shmem file is linked or unlinked: give -ShmemFile.", unlinked);
        if (cowWith is { } with) list.Add(new SharedMapping { Kind = SharedMemoryKind.CowAnon, With = with, Pages = cowPages });
        if (region is not null) list.Add(new SharedMapping { Kind = SharedMemoryKind.SharedAnon, Name = region, Pages = size });
        if (file is not null) list.Add(new SharedMapping { Kind = SharedMemoryKind.Shmem, Name = file, Pages = size, Linked = unlinked is { } u ? !u : null });
        return list;
    }
}
