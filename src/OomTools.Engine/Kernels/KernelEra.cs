using System;
using OomTools.Engine.Units;

namespace OomTools.Engine.Kernels;

/// <summary>
/// One row of <see cref="KernelEras.Table"/>: a release at which something the model reproduces changed, and
/// how every such behaviour stood from that release until the next row.
/// </summary>
public sealed class KernelEra
{
    internal KernelEra(Version since, string change, BadnessUnit unit, RootBonus root, TieRule ties, BadnessFloor floor,
        OomScoreFile oomScore, bool sacrificeChild, TaskTableFormat taskTable, GfpNameTable gfpNames)
    {
        Since = since;
        Change = change;
        Unit = unit;
        Root = root;
        Ties = ties;
        Floor = floor;
        OomScore = oomScore;
        SacrificeChild = sacrificeChild;
        TaskTable = taskTable;
        GfpNames = gfpNames;
    }

    /// <summary>The first release (major.minor) with these rules.</summary>
    public Version Since { get; }
    /// <summary>What changed at <see cref="Since"/>, in words.</summary>
    public string Change { get; }
    /// <summary>What <c>oom_badness</c> counts in.</summary>
    public BadnessUnit Unit { get; }
    /// <summary>The bonus a task with CAP_SYS_ADMIN gets (modelled as uid 0).</summary>
    public RootBonus Root { get; }
    /// <summary>Which task an equal score goes to.</summary>
    public TieRule Ties { get; }
    /// <summary>The least an eligible task scores.</summary>
    public BadnessFloor Floor { get; }
    /// <summary>The form of <c>/proc/PID/oom_score</c>.</summary>
    public OomScoreFile OomScore { get; }
    /// <summary>Before 5.1: <c>Kill process N (comm) score S or sacrifice child</c> names the choice, then a child may die instead.</summary>
    public bool SacrificeChild { get; }
    /// <summary>The task table's layout.</summary>
    public TaskTableFormat TaskTable { get; }
    /// <summary>The <c>gfpflag_names[]</c> table <c>%pGg</c> prints with.</summary>
    public GfpNameTable GfpNames { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Since}: {Change}";
}
