using OomTools.Engine.Units;

namespace OomTools.Engine.Reports;

/// <summary>
/// The lines of a memcg report's <c>Memory cgroup stats for PATH:</c> block that say what is charged to the cgroup,
/// in bytes as the kernel prints them. cgroup v1 (mm/memcontrol-v1.c <c>memcg1_stat_format</c>): <c>cache</c>,
/// <c>rss</c> (anon mapped, NR_ANON_MAPPED) and <c>shmem</c> of the cgroup itself, then <c>total_cache</c>,
/// <c>total_rss</c>, <c>total_shmem</c> for its whole hierarchy. cgroup v2 (mm/memcontrol.c
/// <c>memory_stat_format</c>): <c>anon</c>, <c>file</c>, <c>shmem</c>, already hierarchical. Kernels before 4.19 put
/// one line per cgroup of the hierarchy (<c>cache:NKB rss:NKB ...</c>, in kB): the first is the cgroup's own, and
/// their sum is the hierarchy's.
/// </summary>
public sealed class MemcgStatLines
{
    /// <summary>Anon charged to the cgroup itself: v1 <c>rss</c>, v2 <c>anon</c> (hierarchical on v2).</summary>
    public Bytes? Anon { get; internal set; }
    /// <summary>Page cache charged to the cgroup itself: v1 <c>cache</c>, v2 <c>file</c>.</summary>
    public Bytes? File { get; internal set; }
    /// <summary>Shmem/tmpfs pages charged to the cgroup itself: <c>shmem</c>.</summary>
    public Bytes? Shmem { get; internal set; }
    /// <summary>v1 <c>total_rss</c>: anon charged to the cgroup and its descendants.</summary>
    public Bytes? TotalAnon { get; internal set; }
    /// <summary>v1 <c>total_cache</c>.</summary>
    public Bytes? TotalFile { get; internal set; }
    /// <summary>v1 <c>total_shmem</c>.</summary>
    public Bytes? TotalShmem { get; internal set; }

    /// <summary>
    /// Anon charged to the OOM's cgroup and everything under it (what its task table's rows can map of its own):
    /// v1 <c>total_rss</c>, else <c>rss</c>/<c>anon</c> (v2's is hierarchical).
    /// </summary>
    public Bytes? ChargedAnon => TotalAnon ?? Anon;

    /// <summary>Whether <see cref="Take"/> keeps the key that is the first <paramref name="keyLength"/> characters of <paramref name="text"/>.</summary>
    internal static bool Keeps(string text, int keyLength)
    {
        foreach (var key in KeptKeys)
            if (key.Length == keyLength && string.CompareOrdinal(text, 0, key, 0, keyLength) == 0) return true;
        return false;
    }

    private static readonly string[] KeptKeys = { "rss", "anon", "cache", "file", "shmem", "total_rss", "total_cache", "total_shmem" };

    /// <summary>Takes one <c>key value</c> line of the block; false when the key is not one kept here.</summary>
    internal bool Take(string key, Bytes value)
    {
        switch (key)
        {
            case "rss": case "anon": Anon = value; return true;
            case "cache": case "file": File = value; return true;
            case "shmem": Shmem = value; return true;
            case "total_rss": TotalAnon = value; return true;
            case "total_cache": TotalFile = value; return true;
            case "total_shmem": TotalShmem = value; return true;
            default: return false;
        }
    }

    /// <summary>
    /// Takes one cgroup's line of the pre-4.19 format (kB): the first line is the cgroup's own, and every line adds
    /// to the hierarchy's totals.
    /// </summary>
    internal void TakeOldLine(string key, Bytes value, bool first)
    {
        switch (key)
        {
            case "rss":
                if (first) Anon = value;
                TotalAnon = (TotalAnon ?? Bytes.Zero) + value;
                break;
            case "cache":
                if (first) File = value;
                TotalFile = (TotalFile ?? Bytes.Zero) + value;
                break;
            case "shmem":
                if (first) Shmem = value;
                TotalShmem = (TotalShmem ?? Bytes.Zero) + value;
                break;
        }
    }

    /// <summary><c>anon N, file N, shmem N</c> bytes, the hierarchy's where printed.</summary>
    public override string ToString() => $"anon {(ChargedAnon?.Value.ToString() ?? "?")}, file {((TotalFile ?? File)?.Value.ToString() ?? "?")}, shmem {((TotalShmem ?? Shmem)?.Value.ToString() ?? "?")} bytes";
}
