using OomTools.Engine;
using OomTools.Engine.Units;

namespace OomTools;

/// <summary>Turns a size given in bytes or in pages (never both) into pages.</summary>
internal static class Sizes
{
    public static Pages? Pick(string what, long? bytes, Pages? pages, int pageSize)
    {
        // An empty CSV cell binds as 0: a zero on one side is "not given", not a conflict.
        if (bytes == 0 && pages is not null) bytes = null;
        if (pages is { Value: 0 } && bytes is not null) pages = null;
        if (bytes is not null && pages is not null)
            throw new OomEngineException(OomError.InvalidArgument, $"Give the {what} in bytes or in pages, not both.", what);
        if (bytes is { } b)
        {
            if (b < 0) throw new OomEngineException(OomError.NegativeSize, $"The {what} cannot be negative ({b} bytes).", b);
            return Pages.FromBytes(b, pageSize);
        }
        if (pages is { Value: < 0 } p) throw new OomEngineException(OomError.NegativeSize, $"The {what} cannot be negative ({p} pages).", p);
        return pages;
    }
}
