using System.Collections.Generic;

namespace OomTools.Engine.Killer;

internal static class Snapshot
{
    /// <summary>A copy to iterate while the loop body may change the source.</summary>
    public static List<T> ToSnapshot<T>(this IEnumerable<T> source) => new(source);
}
