using System.Collections.Generic;

namespace OomTools.Engine.Reports;

/// <summary>
/// What a report cannot print about its host and a rebuild may assume otherwise: which processes were vfork
/// children (<c>in_vfork()</c>) or CLONE_VM sharers of an earlier row's mm, and whether root lacked CAP_SYS_ADMIN.
/// </summary>
internal sealed class HiddenState
{
    /// <summary>Nothing hidden: every row its own mm, uid 0 standing for CAP_SYS_ADMIN.</summary>
    public static readonly HiddenState None = new(new List<ReportAlternative>());

    private readonly Dictionary<int, ReportAlternative> byLater = new();

    public HiddenState(IReadOnlyList<ReportAlternative> alternatives)
    {
        Alternatives = alternatives;
        foreach (var a in alternatives)
        {
            if (a.Kind == AlternativeKind.RootWithoutCapSysAdmin) RootWithoutCapSysAdmin = true;
            else byLater[a.Later] = a;
        }
    }

    /// <summary>The alternatives this state applies, in the order they were tried.</summary>
    public IReadOnlyList<ReportAlternative> Alternatives { get; }
    /// <summary>Root in the report's processes had no CAP_SYS_ADMIN (a container): no root bonus.</summary>
    public bool RootWithoutCapSysAdmin { get; }

    /// <summary>The process whose mm <paramref name="pid"/> uses, when an alternative makes it a vfork child or CLONE_VM sharer.</summary>
    public int? MmOwnerOf(int pid) => byLater.TryGetValue(pid, out var a) ? a.Earlier : null;
    /// <summary>The processes taken as vfork children still borrowing their parent's mm.</summary>
    public IEnumerable<int> VforkChildren
    {
        get { foreach (var a in Alternatives) if (a.Kind == AlternativeKind.VforkPair) yield return a.Child; }
    }
}

/// <summary>The kinds of hidden state a real host can have that a report does not print.</summary>
internal enum AlternativeKind
{
    /// <summary>Root without CAP_SYS_ADMIN: no root bonus in the eras that had one.</summary>
    RootWithoutCapSysAdmin,
    /// <summary>One of two identical rows is a vfork child of the other: in_vfork(), never chosen, killed with its parent.</summary>
    VforkPair,
    /// <summary>The later of two identical rows shares the earlier's mm (CLONE_VM): killed with it, its memory freed once.</summary>
    CloneVmPair,
}

/// <summary>
/// One alternative: its kind and, for a pair, the earlier row's process and the later one's (the later takes the
/// earlier's mm in the rebuilt machine); a vfork pair also says which is the child. The child is usually the later
/// row, but a memcg scan walks the cgroups in pre-order, so a child in an earlier cgroup is printed first.
/// </summary>
internal sealed class ReportAlternative
{
    public ReportAlternative(AlternativeKind kind, int earlier = 0, int later = 0, bool childFirst = false)
    {
        Kind = kind;
        Earlier = earlier;
        Later = later;
        Child = childFirst ? earlier : later;
    }

    public AlternativeKind Kind { get; }
    public int Earlier { get; }
    public int Later { get; }
    /// <summary>The vfork child of a vfork pair.</summary>
    public int Child { get; }
    /// <summary>The vfork parent of a vfork pair.</summary>
    public int Parent => Child == Later ? Earlier : Later;

    /// <summary>What the alternative says about the host, as the report's Assumptions name it.</summary>
    public string Describe() => Kind switch
    {
        AlternativeKind.RootWithoutCapSysAdmin => "root had no CAP_SYS_ADMIN (a container): no root bonus",
        AlternativeKind.VforkPair => $"pid {Child} is a vfork child of pid {Parent} (identical rows, one mm): in_vfork() is never chosen and dies with its parent",
        _ => $"pids {Earlier} and {Later} share one mm (CLONE_VM; identical rows): a kill of one kills both and frees the memory once",
    };
}
