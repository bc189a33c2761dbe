using System.Collections.Generic;
using OomTools.Engine.Model;

namespace OomTools.Engine.Killer;

/// <summary>
/// The score table's rows as they were before each change the table made to arrays a candidate log shares
/// (<see cref="ScoreTable.Share"/>): a log undoes the changes made since its scan to see its rows, so the table
/// need not copy its arrays when it changes a few rows after a scan that recorded its candidates.
/// </summary>
internal sealed class RowHistory
{
    /// <summary>A row written.</summary>
    internal const byte Set = 0;
    /// <summary>A row taken out (the rows after it moved up one).</summary>
    internal const byte Remove = 1;

    /// <summary>The changes, oldest first.</summary>
    internal readonly List<Change> Changes = new();

    /// <summary>How many rows the arrays hold now (they shrink as rows are taken out).</summary>
    internal int Rows;

    /// <summary>One row of the table, as its arrays hold it.</summary>
    internal readonly struct Row
    {
        internal Row(OomTask task, long pages, short adj, byte flags, byte reason, long rss, long swap, long pgtables)
        {
            Task = task; Pages = pages; Adj = adj; Flags = flags; Reason = reason; Rss = rss; Swap = swap; Pgtables = pgtables;
        }

        internal readonly OomTask Task;
        internal readonly long Pages, Rss, Swap, Pgtables;
        internal readonly short Adj;
        internal readonly byte Flags, Reason;
    }

    /// <summary>Row <see cref="Index"/> before it was written (<see cref="Set"/>) or taken out (<see cref="Remove"/>).</summary>
    internal readonly struct Change
    {
        internal Change(byte kind, int index, Row old)
        {
            Kind = kind; Index = index; Old = old;
        }

        internal readonly byte Kind;
        internal readonly int Index;
        internal readonly Row Old;
    }
}
