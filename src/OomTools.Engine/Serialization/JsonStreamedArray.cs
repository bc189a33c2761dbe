using System.IO;

namespace OomTools.Engine.Serialization;

/// <summary>
/// A JSON array whose items write their own text (the tasks of a machine): <see cref="Json"/> writes the brackets and
/// asks for the items, which are never short enough to share a line (objects of many members). Empty, it is
/// <c>[]</c> as any empty array; it cannot be written on one line (compact) with items.
/// </summary>
internal abstract class JsonStreamedArray
{
    /// <summary>Whether there are no items (then the array is written <c>[]</c>).</summary>
    public abstract bool IsEmpty { get; }

    /// <summary>
    /// Writes every item, each after <see cref="Json.ItemStart"/> (its separator and indentation), as
    /// <see cref="Json"/> would write the item's value at <paramref name="itemIndent"/>.
    /// </summary>
    public abstract void WriteItems(TextWriter writer, int itemIndent);
}
