using OomTools.Engine.Units;

namespace OomTools.Engine.Model;

/// <summary>What backs a shared mapping of shmem (tmpfs) pages, as <c>/proc/PID/smaps</c> names it.</summary>
public enum ShmemMappingKind
{
    /// <summary>A file on a tmpfs mount (<c>/dev/shm/NAME</c>, <c>/run/...</c>): freed only when unlinked and unmapped.</summary>
    TmpfsFile,
    /// <summary>A <c>memfd_create</c> file (<c>/memfd:NAME (deleted)</c>): never linked, freed with its last mapping and fd.</summary>
    Memfd,
    /// <summary>A System V segment (<c>/SYSV%08x</c>): lives until IPC_RMID and the last detach.</summary>
    SysV,
    /// <summary><c>MAP_SHARED | MAP_ANONYMOUS</c> (<c>/dev/zero (deleted)</c>): shared only with forked children, freed with the last mapping.</summary>
    SharedAnonymous,
}

/// <summary>
/// One shmem object an mm maps shared (its mappings together), read from <c>/proc/PID/maps</c> and
/// <c>/proc/PID/smaps</c> when a host was read (only for processes whose <c>RssShmem</c> is not zero). Stored for the
/// page-ownership model; the OOM killer scores <see cref="MemoryDescriptor.ShmemPages"/> and never reads these.
/// </summary>
public sealed class ShmemMapping
{
    /// <summary>The path smaps prints, without the <c> (deleted)</c> suffix.</summary>
    public string Path { get; set; } = "";
    /// <summary>
    /// The object's device and inode as maps prints them (<c>00:01 4046</c>): the same in every mm that maps it,
    /// while paths can repeat (every memfd of a name, every <c>/dev/zero</c>).
    /// </summary>
    public string Inode { get; set; } = "";
    /// <summary>What backs it.</summary>
    public ShmemMappingKind Kind { get; set; }
    /// <summary>
    /// The file has no name left (maps prints <c>(deleted)</c>): its pages go with the last mapping and open file. A
    /// memfd and shared anonymous memory always print it; a System V segment too, whether or not IPC_RMID was done.
    /// </summary>
    public bool Unlinked { get; set; }
    /// <summary>
    /// Resident pages this mm maps of it (its mappings' <c>Rss</c> in smaps; when it is the only shmem object the mm
    /// maps, the mm's <c>RssShmem</c>, and smaps is not read).
    /// </summary>
    public Pages Rss { get; set; }
    /// <summary>Swapped-out pages of its mappings (<c>Swap</c> in smaps); 0 when smaps was not read.</summary>
    public Pages Swap { get; set; }

    /// <summary><c>PATH (deleted): N pages</c>.</summary>
    public override string ToString() => $"{Path}{(Unlinked ? " (deleted)" : "")}: {Rss.Value} pages";
}
