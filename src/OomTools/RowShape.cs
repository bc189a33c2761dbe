using System;
using System.Collections.Generic;
using System.Management.Automation;

namespace OomTools;

/// <summary>
/// What <see cref="PipedRowBinder"/> works out from the property names of a pscustomobject row, once for a run of rows
/// with the same names in the same order (Import-Csv's rows share its header's strings, the rows of one hashtable
/// literal its keys'): which property each parameter takes, in the binder's order, and which cells
/// <see cref="PipedRow"/> looks at. Matching names by name and alias (case ignored) for every row cost as much as the
/// rest of the binding.
/// </summary>
internal sealed class RowShape
{
    private readonly string[] names;

    private RowShape(string[] names, int[] slots, int[] cells, int[] checkedCells)
    {
        this.names = names;
        Slots = slots;
        Cells = cells;
        Checked = checkedCells;
    }

    /// <summary>The parameters (the binder's slot numbers) a row of this shape has a property for, last first.</summary>
    public int[] Slots { get; }

    /// <summary>For each of <see cref="Slots"/>, the position of the property it takes among the row's properties.</summary>
    public int[] Cells { get; }

    /// <summary>
    /// The positions of the properties whose text <see cref="PipedRow.Unbound(PSCmdlet, IEnumerable{PSPropertyInfo})"/>
    /// checks (<see cref="PipedRow.Checks"/>); a row with no text in them has no cell that cannot bind.
    /// </summary>
    public int[] Checked { get; }

    /// <summary>Whether <paramref name="cells"/> (a row's properties, in order) have this shape's names.</summary>
    public bool Fits(List<PSPropertyInfo> cells)
    {
        if (cells.Count != names.Length) return false;
        for (int i = 0; i < names.Length; i++)
        {
            var name = cells[i].Name;
            if (!ReferenceEquals(name, names[i]) && !string.Equals(name, names[i], StringComparison.Ordinal)) return false;
        }
        return true;
    }

    /// <summary>
    /// The shape of <paramref name="cells"/>: each property found in <paramref name="byName"/> (a parameter name or
    /// alias, case ignored, to its slot and rank: 0 for the parameter's own name, then its aliases in order) goes to its
    /// slot unless a property of a better rank does, as in the binder's lookup; <paramref name="cmdlet"/> is the
    /// cmdlet's type, for <see cref="PipedRow.Checks"/>.
    /// </summary>
    public static RowShape Of(List<PSPropertyInfo> cells, Dictionary<string, (int Slot, int Rank)> byName, Type cmdlet)
    {
        var names = new string[cells.Count];
        var best = new Dictionary<int, (int Cell, int Rank)>();
        var checkedCells = new List<int>();
        for (int c = 0; c < cells.Count; c++)
        {
            names[c] = cells[c].Name;
            if (PipedRow.Checks(cmdlet, names[c])) checkedCells.Add(c);
            if (!byName.TryGetValue(names[c], out var at)) continue;
            if (!best.TryGetValue(at.Slot, out var held) || at.Rank < held.Rank) best[at.Slot] = (c, at.Rank);
        }
        var slots = new List<int>(best.Keys);
        slots.Sort((a, b) => b.CompareTo(a));
        var from = new int[slots.Count];
        for (int k = 0; k < slots.Count; k++) from[k] = best[slots[k]].Cell;
        return new RowShape(names, slots.ToArray(), from, checkedCells.ToArray());
    }
}
