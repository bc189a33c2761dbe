using System;
using System.Collections.Generic;

namespace OomTools.Engine.Serialization;

/// <summary>
/// A JSON object that keeps its members in the order they were added (so a document is written the same way
/// every time). Values are null, bool, long, <see cref="JsonNumber"/> (any other number), string,
/// <see cref="JsonObject"/> or <see cref="List{T}"/> of values.
/// </summary>
internal sealed class JsonObject
{
    // A machine document's objects have at most a few dozen members: they are looked up in order, and an index is
    // made only for a bigger object (a crafted one with many members stays linear to read).
    private const int IndexFrom = 32;
    // The members in two arrays, the first count of each in use. A reused object keeps the names of its last use past
    // the count: they are what it follows (see Expected).
    private string[] keys = Array.Empty<string>();
    private object?[] values = Array.Empty<object?>();
    private int count;
    private Dictionary<string, object?>? index;
    // A bit per name signature (length and end characters): a name whose bit is not set is not a member, and a member
    // added under a new bit needs no look for a twin. Most lookups of a member that is absent stop here.
    private ulong names;
    // Where the last lookup found its member: a reader asks for the members in about the order they were written.
    private int cursor;

    private static int Signature(string name) =>
        name.Length == 0 ? 0 : (name.Length * 7 + name[0] + name[name.Length - 1] * 3) & 63;

    // Where the member last added under each signature is (it may since have been emptied or replaced: checked on use);
    // only in an object that is reused (made at its first Reset), whose members are looked up again and again.
    private byte[]? where;

    // A reused object follows the names of its last use (keys[0..templateCount), distinct, as any object's) while its
    // members come in that order; whether each is plain text (no quote, backslash or control character): 1 yes, -1 no,
    // 0 not yet known (the name at that place changed).
    private sbyte[]? plain;
    private int templateCount;
    private bool following;

    /// <summary>Empties the object for another use (the streaming reader reuses its objects item after item).</summary>
    public void Reset()
    {
        templateCount = count;
        following = true;
        where ??= new byte[64];
        // The values stay until written over (the next item's, at once): clearing them cost more than it freed.
        count = 0;
        index = null;
        names = 0;
        cursor = 0;
    }

    /// <summary>How many members the object has.</summary>
    public int Count => count;

    /// <summary>The name of member <paramref name="k"/> (0 to <see cref="Count"/> - 1).</summary>
    public string KeyAt(int k) => k < count ? keys[k] : throw new ArgumentOutOfRangeException(nameof(k));

    /// <summary>The value of member <paramref name="k"/> (0 to <see cref="Count"/> - 1).</summary>
    public object? ValueAt(int k) => k < count ? values[k] : throw new ArgumentOutOfRangeException(nameof(k));

    /// <summary>
    /// The name the next member had in the object's last use, when every member so far has come as then and that name
    /// is plain text; null otherwise. A reader can check the document's text against it instead of looking the name up.
    /// </summary>
    public string? Expected
    {
        get
        {
            int k = count;
            if (!following || k >= templateCount) return null;
            var p = plain;
            if (p is null || p.Length < keys.Length) plain = p = Grown(p, keys.Length);
            if (p[k] == 0) p[k] = IsPlain(keys[k]) ? (sbyte)1 : (sbyte)-1;
            return p[k] > 0 ? keys[k] : null;
        }
    }

    private static sbyte[] Grown(sbyte[]? p, int length)
    {
        var a = new sbyte[length];
        if (p is not null) Array.Copy(p, a, p.Length);
        return a;
    }

    private static bool IsPlain(string name)
    {
        foreach (char c in name)
            if (c is '"' or '\\' or < ' ') return false;
        return true;
    }

    // Boxes shared by every document: a machine's members are mostly flags and small counts.
    private static readonly object True = true, False = false;
    private static readonly object[] SmallLongs = MakeSmallLongs();

    private static object[] MakeSmallLongs()
    {
        var a = new object[2048];
        for (int i = 0; i < a.Length; i++) a[i] = (long)(i - 1024);
        return a;
    }

    /// <summary>A long, boxed once for the small values every document repeats.</summary>
    public static object Box(long value) => value >= -1024 && value < 1024 ? SmallLongs[value + 1024] : value;

    /// <summary>A bool, boxed once.</summary>
    public static object Box(bool value) => value ? True : False;

    public JsonObject Add(string name, bool value) => Add(name, Box(value));

    public JsonObject Add(string name, long value) => Add(name, Box(value));

    public JsonObject Add(string name, object? value)
    {
        if (!TryAdd(name, value)) throw new FormatException($"The JSON object has the member \"{name}\" twice.");
        return this;
    }

    /// <summary>Adds the member; false (and nothing added) when the object has one of that name already.</summary>
    public bool TryAdd(string name, object? value)
    {
        int signature = Signature(name);
        ulong bit = 1UL << signature;
        int k = count;
        // The last use's next name: distinct from those before it, which are the members so far; no look needed.
        if (following && k < templateCount && ReferenceEquals(keys[k], name)) { }
        else
        {
            following = false;
            if ((names & bit) != 0 && Has(name)) return false;
            if (k == keys.Length)
            {
                int size = Math.Max(4, k * 2);
                Array.Resize(ref keys, size);
                Array.Resize(ref values, size);
            }
            if (!ReferenceEquals(keys[k], name))
            {
                keys[k] = name;
                if (plain is not null && k < plain.Length) plain[k] = 0;
            }
        }
        names |= bit;
        if (where is not null && k < 256) where[signature] = (byte)k;
        values[k] = value;
        count = k + 1;
        if (index is not null) index[name] = value;
        else if (count >= IndexFrom)
        {
            index = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (int i = 0; i < count; i++) index[keys[i]] = values[i];
        }
        return true;
    }

    public bool TryGet(string name, out object? value)
    {
        if (index is not null) return index.TryGetValue(name, out value);
        var ks = keys;
        int n = count;
        // The member after the last one found: a reader asks for most members in the order they were written.
        int next = cursor;
        if (next < n && ReferenceEquals(ks[next], name))
        {
            cursor = next + 1;
            value = values[next];
            return true;
        }
        int signature = Signature(name);
        if ((names & (1UL << signature)) != 0)
        {
            // Where the last member of that signature went: most often the one asked for.
            int at = where is null ? int.MaxValue : where[signature];
            if (at < n && ReferenceEquals(ks[at], name))
            {
                cursor = at + 1;
                value = values[at];
                return true;
            }
            // From the member after the last one found, round to it: names are unique, so the order does not matter.
            // First by reference (a reader's names are the caller's literals, so this finds them without comparing
            // text), then by text.
            for (int k = 0, i = next; k < n; k++, i++)
            {
                if (i >= n) i = 0;
                if (ReferenceEquals(ks[i], name))
                {
                    cursor = i + 1;
                    value = values[i];
                    return true;
                }
            }
            for (int i = 0; i < n; i++)
            {
                if (string.Equals(ks[i], name, StringComparison.Ordinal))
                {
                    cursor = i + 1;
                    value = values[i];
                    return true;
                }
            }
        }
        value = null;
        return false;
    }

    public bool Has(string name) => TryGet(name, out _);
}
