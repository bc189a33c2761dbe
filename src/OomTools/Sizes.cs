using System.Collections.Generic;
using System.Management.Automation;
using System.Reflection;
using OomTools.Engine;
using OomTools.Engine.Units;

namespace OomTools;

/// <summary>Turns a size given in bytes or in pages (never both) into pages, and warns about bare numbers too small to be meant.</summary>
internal static class Sizes
{
    /// <summary>What is less than a machine or a limit: 1 MiB.</summary>
    private const long Mebibyte = 1L << 20;

    public static Pages? Pick(string what, MemorySize? bytes, Pages? pages, int pageSize) => Pick(what, bytes?.Bytes, pages, pageSize);

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

    /// <summary>
    /// Writes a warning for each bound size parameter given as a bare number that is implausible for what it measures
    /// (<see cref="SizeKind"/>): more than 0 but less than a page for a process's memory, less than 1 MiB for a machine
    /// or a limit. It names the likely intent ("-AnonRss 6 is 6 bytes, less than a page: did you mean 6MB?") and
    /// changes nothing: the number is used as given.
    /// </summary>
    public static void WarnImplausible(PSCmdlet cmdlet, int pageSize)
    {
        var kinds = KindsOf(cmdlet.GetType());
        foreach (var bound in cmdlet.MyInvocation.BoundParameters)
        {
            if (!kinds.TryGetValue(bound.Key, out var kind)) continue;
            var value = bound.Value is PSObject p ? p.BaseObject : bound.Value;
            if (value is MemorySize one) Warn(cmdlet, bound.Key, one, kind, pageSize);
            else if (value is MemorySize[] many) foreach (var m in many) Warn(cmdlet, bound.Key, m, kind, pageSize);
        }
    }

    private static void Warn(PSCmdlet cmdlet, string parameter, MemorySize size, SizeKind kind, int pageSize)
    {
        if (size.HasUnit || size.Bytes <= 0) return;
        var (floor, floorText, likely) = kind switch
        {
            SizeKind.Process => ((long)pageSize, $"less than a page ({pageSize} bytes)", "MB"),
            SizeKind.Machine => (Mebibyte, "less than 1 MiB", "GB"),
            SizeKind.Limit => (Mebibyte, "less than 1 MiB", "MB"),
            _ => (0L, "", ""),
        };
        if (size.Bytes >= floor) return;
        long n = size.Bytes;
        cmdlet.WriteWarning($"-{parameter} {n} is {n} bytes, {floorText}: did you mean {n}{likely}? Write the unit ({n}{likely} or '{n}{likely[0]}') to say so; {n} bytes is used.");
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<System.Type, Dictionary<string, SizeKind>> cache = new();

    /// <summary>Read for every record of a pipeline: a lock-free cache.</summary>
    private static Dictionary<string, SizeKind> KindsOf(System.Type type) => cache.GetOrAdd(type, t =>
    {
        var map = new Dictionary<string, SizeKind>(System.StringComparer.OrdinalIgnoreCase);
        foreach (var property in t.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            if (property.GetCustomAttribute<SizeAttribute>() is { } size) map[property.Name] = size.Kind;
        return map;
    });
}
