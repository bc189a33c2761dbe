using System;
using System.Collections.Generic;
using System.Collections.Specialized;
using System.Linq.Expressions;
using System.Management.Automation;
using System.Reflection;

namespace OomTools;

/// <summary>
/// The properties of a pscustomobject row (Import-Csv, [pscustomobject]@{...}) without building the whole member
/// list: <c>PSObject.Properties</c> integrates the instance members with the type table's and the adapter's on each
/// enumeration (6-8 µs a row, as much as an empty ForEach-Object takes for it); the row's own note properties are its
/// instance members. They are the properties the binder's lookup finds as long as the type table adds none of the
/// names asked for to the row's type names: that is checked once per list of type names, on an empty object with
/// the same type names; when it adds one, or PowerShell's internals are not as expected, there is no fast answer
/// (false) and the caller looks the names up through <c>PSObject.Properties</c>.
/// </summary>
internal static class RowProperties
{
    private static readonly Func<PSObject, OrderedDictionary?>? instanceMembers = MembersGetter();
    private static readonly Func<PSObject, IList<string>>? typeNames = Getter<IList<string>>("InternalTypeNames");
    private static readonly Dictionary<string, bool> plainByKey = new();

    [ThreadStatic] private static IList<string>? lastTypeNames;
    [ThreadStatic] private static string[]? lastNames;
    [ThreadStatic] private static bool lastPlain;

    /// <summary>
    /// Adds the properties of <paramref name="row"/> (a pscustomobject) to <paramref name="properties"/>, its
    /// instance members, when they are all the properties that <paramref name="names"/> (a cmdlet's parameter names
    /// and aliases, the same array each call) can find on it; otherwise adds nothing and returns false.
    /// </summary>
    public static bool Of(PSObject row, string[] names, List<PSPropertyInfo> properties)
    {
        if (instanceMembers is null || typeNames is null) return false;
        var types = typeNames(row);
        if (!ReferenceEquals(types, lastTypeNames) || !ReferenceEquals(names, lastNames))
        {
            lastPlain = Plain(types, names);
            lastTypeNames = types;
            lastNames = names;
        }
        if (!lastPlain) return false;
        // The collection's own enumerator copies its members to a new list under this lock; read them in place.
        if (instanceMembers(row) is { } members)
        {
            lock (members)
                for (int i = 0; i < members.Count; i++)
                    if (members[i] is PSPropertyInfo property) properties.Add(property);
        }
        return true;
    }

    /// <summary>No property of the names reaches an object of these type names from the type table or the adapter.</summary>
    private static bool Plain(IList<string> types, string[] names)
    {
        var key = System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(names) + "\n" + string.Join("\n", types);
        lock (plainByKey)
            if (plainByKey.TryGetValue(key, out var known)) return known;
        var probe = new PSObject();
        probe.TypeNames.Clear();
        foreach (var t in types) probe.TypeNames.Add(t);
        bool plain = true;
        foreach (var name in names) plain &= probe.Properties[name] is null;
        lock (plainByKey) plainByKey[key] = plain;
        return plain;
    }

    /// <summary>PSObject.InstanceMembers._members, the ordered dictionary of a row's own members (null when it has none).</summary>
    private static Func<PSObject, OrderedDictionary?>? MembersGetter()
    {
        try
        {
            var info = typeof(PSObject).GetProperty("InstanceMembers", BindingFlags.Instance | BindingFlags.NonPublic);
            var field = info?.PropertyType.GetField("_members", BindingFlags.Instance | BindingFlags.NonPublic);
            if (info is null || field is null || field.FieldType != typeof(OrderedDictionary)) return null;
            var row = Expression.Parameter(typeof(PSObject));
            return Expression.Lambda<Func<PSObject, OrderedDictionary?>>(Expression.Field(Expression.Property(row, info), field), row).Compile();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or MemberAccessException)
        {
            return null;
        }
    }

    private static Func<PSObject, TResult>? Getter<TResult>(string property)
    {
        try
        {
            var info = typeof(PSObject).GetProperty(property, BindingFlags.Instance | BindingFlags.NonPublic);
            if (info is null || !typeof(TResult).IsAssignableFrom(info.PropertyType)) return null;
            var row = Expression.Parameter(typeof(PSObject));
            return Expression.Lambda<Func<PSObject, TResult>>(Expression.Convert(Expression.Property(row, info), typeof(TResult)), row).Compile();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or MemberAccessException)
        {
            return null;
        }
    }
}
