using System.Collections.Generic;

namespace OomTools.Engine.Serialization;

/// <summary>
/// A JSON array whose items are made only when the writer reaches them (the tasks of a machine, a cgroup's task
/// order): <see cref="Json.Write(System.IO.TextWriter, object?)"/> holds one item at a time, not the whole list.
/// The writer may start the enumeration twice (once to see whether a short array fits on one line, stopping after a
/// line's worth of items, then to write it), so <see cref="Items"/> must give the same items each time.
/// </summary>
internal sealed class JsonLazyArray
{
    public JsonLazyArray(IEnumerable<object?> items) => Items = items;

    /// <summary>The items, made as they are enumerated.</summary>
    public IEnumerable<object?> Items { get; }
}
