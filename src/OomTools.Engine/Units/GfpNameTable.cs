namespace OomTools.Engine.Units;

/// <summary>Which <c>gfpflag_names[]</c> table <c>%pGg</c> walks: the order and the names changed over releases.</summary>
public enum GfpNameTable
{
    /// <summary>Before 6.4: with <c>__GFP_ATOMIC</c>.</summary>
    BeforeV6_4,
    /// <summary>6.4 – 6.11: <c>__GFP_ATOMIC</c> gone.</summary>
    V6_4,
    /// <summary>6.12 – 6.14: GFP_NOWAIT gained <c>__GFP_NOWARN</c>.</summary>
    V6_12,
    /// <summary>6.15 and later: single flags in bit order.</summary>
    V6_15,
}
