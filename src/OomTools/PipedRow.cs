using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Reflection;

namespace OomTools;

/// <summary>
/// The cells of a piped row that cannot bind. PowerShell binds a piped object's properties to a binary cmdlet's
/// ValueFromPipelineByPropertyName parameters and silently leaves a parameter unbound when its cell does not
/// convert or validate (<c>Pid='abc'</c>, <c>AnonRss='lots'</c>), so the cmdlet would run with the default: an
/// invented pid, no memory. A cmdlet that takes rows also takes the row itself (a hidden ValueFromPipeline
/// parameter) and asks here which of its text cells named after a parameter were left out.
/// </summary>
internal static class PipedRow
{
    /// <summary>
    /// Each text cell of <paramref name="row"/> that names a by-property-name parameter of
    /// <paramref name="cmdlet"/> (by name or alias, case ignored) and holds a value that does not convert to the
    /// parameter's type: the property's name, the parameter's name and the cell's text. (A value that converts but
    /// fails a parameter's validation is already a binding error of PowerShell's.)
    /// </summary>
    public static IReadOnlyList<(string Property, string Parameter, string Value)> Unbound(PSCmdlet cmdlet, PSObject row) =>
        Unbound(cmdlet, row.Properties);

    /// <summary><see cref="Unbound(PSCmdlet, PSObject)"/> on a row's properties already enumerated.</summary>
    public static IReadOnlyList<(string Property, string Parameter, string Value)> Unbound(PSCmdlet cmdlet, IEnumerable<PSPropertyInfo> properties)
    {
        var byName = ByPropertyName(cmdlet.GetType());
        List<(string, string, string)>? result = null;
        foreach (var property in properties)
        {
            if (!byName.TryGetValue(property.Name, out var parameter)) continue;
            object? value;
            try { value = property.Value; }
            catch (GetValueException) { continue; }
            // Only text cells (Import-Csv, ConvertFrom-Csv): a blank one is "not given"; a typed value that does not
            // fit is another object's property that was never meant for this parameter.
            if (value is PSObject { BaseObject: var b }) value = b;
            if (value is not string s || string.IsNullOrWhiteSpace(s) || parameter.Type == typeof(string)) continue;
            if (!LanguagePrimitives.TryConvertTo(s, parameter.Type, System.Globalization.CultureInfo.InvariantCulture, out _))
                (result ??= new()).Add((property.Name, parameter.Name, s));
        }
        return (IReadOnlyList<(string, string, string)>?)result ?? NoCells;
    }

    private static readonly (string Property, string Parameter, string Value)[] NoCells = Array.Empty<(string, string, string)>();

    /// <summary>
    /// Writes one InvalidPropertyValue error per cell of <paramref name="row"/> that cannot bind (see
    /// <see cref="Unbound(PSCmdlet, PSObject)"/>); true when there was one, and the row must be left out whole: a record processed
    /// without the cell it was given would be wrong data.
    /// </summary>
    public static bool Refuse(PSCmdlet cmdlet, PSObject? row, long index) => Refuse(cmdlet, row, index, null);

    /// <summary>
    /// <see cref="Refuse(PSCmdlet, PSObject?, long)"/>, with the row's properties when they are already enumerated
    /// (<paramref name="properties"/>; null to enumerate them here).
    /// </summary>
    public static bool Refuse(PSCmdlet cmdlet, PSObject? row, long index, IEnumerable<PSPropertyInfo>? properties)
    {
        if (row is null || Unbound(cmdlet, properties ?? row.Properties) is not { Count: > 0 } bad) return false;
        var where = Describe(row, index);
        foreach (var (property, parameter, value) in bad)
            cmdlet.WriteError(new ErrorRecord(
                new PSArgumentException($"{where}: {property} '{value}' is not a valid -{parameter} ({Kind(cmdlet.GetType(), parameter)}); the row was left out."),
                ErrorIds.InvalidPropertyValue, ErrorCategory.InvalidArgument, row));
        return true;
    }

    /// <summary>How the row is named in a message: its name, pid and path cells when it has them, and its place.</summary>
    public static string Describe(PSObject row, long index)
    {
        string? Cell(string name) => row.Properties[name]?.Value?.ToString();
        var parts = new List<string>();
        if ((Cell("Name") ?? Cell("Comm")) is { } name) parts.Add($"name '{name}'");
        if (Cell("Pid") is { } pid) parts.Add($"pid '{pid}'");
        if (Cell("Path") is { } path) parts.Add($"path '{path}'");
        return parts.Count == 0 ? $"row {index}" : $"row {index} ({string.Join(", ", parts)})";
    }

    private static string Kind(Type cmdlet, string parameter)
    {
        var t = cmdlet.GetProperty(parameter)!.PropertyType;
        t = Nullable.GetUnderlyingType(t) ?? t;
        return t == typeof(int) || t == typeof(long) ? "a whole number" : t == typeof(Engine.Units.Pages) ? "a page count"
            : t == typeof(MemorySize) ? "a size: bytes, or a number with a unit such as 512M or 6GiB"
            : t.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(t)) : t.Name;
    }

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<Type, Dictionary<string, (string Name, Type Type)>> cache = new();

    /// <summary>
    /// Whether <see cref="Unbound(PSCmdlet, IEnumerable{PSPropertyInfo})"/> looks at the value of a property named
    /// <paramref name="property"/> on a row piped to a cmdlet of type <paramref name="cmdlet"/>: it names a
    /// by-property-name parameter (by name or alias, case ignored) whose type is not text.
    /// </summary>
    public static bool Checks(Type cmdlet, string property) =>
        ByPropertyName(cmdlet).TryGetValue(property, out var parameter) && parameter.Type != typeof(string);

    /// <summary>Read for every piped record: a lock-free cache.</summary>
    private static Dictionary<string, (string Name, Type Type)> ByPropertyName(Type type) => cache.GetOrAdd(type, MapOf);

    private static Dictionary<string, (string Name, Type Type)> MapOf(Type type)
    {
        var map = new Dictionary<string, (string, Type)>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            bool byProperty = false;
            foreach (var a in p.GetCustomAttributes<ParameterAttribute>()) byProperty |= a.ValueFromPipelineByPropertyName;
            byProperty |= p.GetCustomAttribute<ByPropertyNameAttribute>() is not null;
            if (!byProperty) continue;
            var entry = (p.Name, Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType);
            map[p.Name] = entry;
            foreach (var alias in p.GetCustomAttributes<AliasAttribute>())
                foreach (var n in alias.AliasNames) map[n] = entry;
        }
        return map;
    }
}
