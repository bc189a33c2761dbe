using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

/// <summary>
/// One shared object a process maps, as <see cref="OomTaskSpec.Shared"/> and <see cref="OomTaskUpdate.Shared"/> name
/// it: pages still shared copy-on-write with the process it was forked from, a MAP_SHARED anonymous region, or a
/// tmpfs/shm file. An object that does not exist yet is created (charged to <see cref="Cgroup"/>, by default the
/// cgroup of the process that touched the pages first); one that exists is joined.
/// </summary>
public sealed class SharedMapping
{
    /// <summary>Copy-on-write anon, a shared anon region or a shmem file.</summary>
    public SharedMemoryKind Kind { get; set; }

    /// <summary>
    /// The region's name or the file's path; for copy-on-write pages optional (<c>cow:PID</c> of
    /// <see cref="With"/> when left out, or the one pool that process already shares).
    /// </summary>
    public string? Name { get; set; }

    /// <summary>
    /// Copy-on-write only: the process whose anonymous pages are still shared — the parent this one was forked
    /// from, or a sibling forked from the same parent (then its pool is joined).
    /// </summary>
    public int? With { get; set; }

    /// <summary>
    /// The object's resident pages when this creates it (copy-on-write: by default every private anonymous page of
    /// <see cref="With"/>, as right after fork). Joining an object: leave it out, or give its size.
    /// </summary>
    public Pages? Pages { get; set; }

    /// <summary>
    /// A shmem file: whether it is still linked in tmpfs (true when new and not said otherwise). False unlinks an
    /// existing file (its pages then go with its last mapping); a removed file cannot be linked again.
    /// </summary>
    public bool? Linked { get; set; }

    /// <summary>The memory cgroup a new object's pages are charged to; null: the first toucher's (for copy-on-write, <see cref="With"/>'s).</summary>
    public string? Cgroup { get; set; }

    /// <summary>How the mapping reads in messages: <c>CowAnon with 100</c>, <c>Shmem /dev/shm/x</c>.</summary>
    public override string ToString() => Kind == SharedMemoryKind.CowAnon && Name is null ? $"{Kind} with {With}" : $"{Kind} {Name}";
}
