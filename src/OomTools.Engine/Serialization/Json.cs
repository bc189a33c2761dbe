using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace OomTools.Engine.Serialization;

/// <summary>A number that is not an integer within the range of <see cref="long"/>: kept as written.</summary>
internal sealed class JsonNumber
{
    public JsonNumber(string text) => Text = text;
    public string Text { get; }
    public override string ToString() => Text;
}

/// <summary>
/// A small JSON (RFC 8259) reader and writer: no dependency beyond netstandard2.0, integers read exactly as
/// <see cref="long"/>, and a deterministic, indented output (short scalar-only objects and arrays on one line).
/// </summary>
internal static class Json
{
    /// <summary>Nesting deeper than this is refused (a machine document is 4 levels deep).</summary>
    public const int MaxDepth = 64;

    #region Reading
    /// <summary>Parses a whole document; <see cref="FormatException"/> names the line and column of a syntax error.</summary>
    public static object? Parse(string text)
    {
        if (text is null) throw new ArgumentNullException(nameof(text));
        var r = new JsonCharReader(new System.IO.StringReader(text));
        r.SkipByteOrderMark();
        r.SkipWhitespace();
        var value = r.ReadValue(0);
        r.SkipWhitespace();
        if (!r.AtEnd) throw r.Error("there is more text after the end of the JSON document");
        return value;
    }
    #endregion

    #region Writing
    /// <summary>Writes <paramref name="value"/> indented by two spaces, with "\n" line ends and no trailing newline.</summary>
    public static string Write(object? value)
    {
        var sb = new System.IO.StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        Write(sb, value);
        return sb.ToString();
    }

    /// <summary>
    /// Writes <paramref name="value"/> as <see cref="Write(object?)"/> does, onto <paramref name="writer"/> as it goes: a
    /// <see cref="JsonLazyArray"/> in it is enumerated item by item, so only one item is in memory at a time.
    /// </summary>
    public static void Write(System.IO.TextWriter writer, object? value)
    {
        if (writer is null) throw new ArgumentNullException(nameof(writer));
        WriteValue(writer, value, 0);
    }

    /// <summary>
    /// A 64-bit digest of the value's structure (each value's kind, then its number, text or members in order) without
    /// making its text: two values with equal compact text (<see cref="WriteCompact"/>) have equal digests, and two
    /// that differ almost never do. Only for comparing values within one process.
    /// </summary>
    public static ulong Digest(object? value) => Digest(DigestBasis, value, keyHashes ??= new KeyHashes());

    [ThreadStatic] private static KeyHashes? keyHashes;

    /// <summary>
    /// The digest of each member name lately seen, by reference: a reader hands out the same name strings object after
    /// object, so a name's characters are hashed once, not once per object (a million mms, fourteen names each).
    /// </summary>
    private sealed class KeyHashes
    {
        private readonly string?[] keys = new string?[64];
        private readonly ulong[] hashes = new ulong[64];

        public ulong Of(string key)
        {
            int slot = (key.Length * 7 + (key.Length > 0 ? key[key.Length - 1] : 0)) & 63;
            if (ReferenceEquals(keys[slot], key)) return hashes[slot];
            ulong h = Step(DigestBasis, key);
            keys[slot] = key;
            hashes[slot] = h;
            return h;
        }
    }

    private const ulong DigestBasis = 14695981039346656037UL;

    // Each step mixes a whole word: a number is taken as it is, not formatted, which is what made the digest cost.
    private static ulong Step(ulong h, ulong word)
    {
        h = (h ^ word) * 0x9E3779B97F4A7C15UL;
        return h ^ (h >> 29);
    }

    // A string with its length first, so "ab","c" and "a","bc" differ.
    private static ulong Step(ulong h, string s)
    {
        h = Step(h, (ulong)s.Length);
        foreach (char c in s) h = (h ^ c) * 1099511628211UL;
        return h;
    }

    private static ulong Digest(ulong h, object? value, KeyHashes keys)
    {
        switch (value)
        {
            case null: return Step(h, 1);
            case bool b: return Step(h, b ? 2UL : 3UL);
            // An int is written as the long of its value: the same digest.
            case long l: return Step(Step(h, 4), (ulong)l);
            case int i: return Step(Step(h, 4), (ulong)(long)i);
            case JsonNumber n: return Step(Step(h, 5), n.Text);
            case string s: return Step(Step(h, 6), s);
            case JsonObject o:
                h = Step(h, 7 | ((ulong)o.Count << 8));
                // A name's text mixed in as its own digest (a function of the text alone, so equal text still digests equal).
                for (int k = 0; k < o.Count; k++) h = Digest(Step(h, keys.Of(o.KeyAt(k))), o.ValueAt(k), keys);
                return h;
            case List<object?> or JsonLazyArray:
                // Each item after a mark, the count at the end (a lazy array's items are counted as they come).
                ulong count = 0;
                foreach (var item in value is JsonLazyArray lazy ? lazy.Items : (List<object?>)value)
                {
                    h = Digest(Step(h, 9), item, keys);
                    count++;
                }
                return Step(h, 8 | (count << 8));
            case JsonStreamedArray streamed:
                if (!streamed.IsEmpty) throw new InvalidOperationException("A streamed array with items is written indented only.");
                return Step(h, 8);
            default:
                throw new ArgumentException($"A {value.GetType().Name} is not a JSON value.", nameof(value));
        }
    }

    /// <summary>The value on one line, without spaces: how two values are compared.</summary>
    public static string WriteCompact(object? value)
    {
        var sb = new System.IO.StringWriter(CultureInfo.InvariantCulture);
        WriteInline(sb, value, compact: true);
        return sb.ToString();
    }

    private const int InlineWidth = 100;

    /// <summary>Writes <paramref name="value"/> as an item or member value whose line is indented by <paramref name="indent"/>.</summary>
    internal static void WriteValue(System.IO.TextWriter w, object? value, int indent)
    {
        switch (value)
        {
            case JsonObject o when o.Count > 0 && !FitsOnOneLine(o):
                w.Write('{');
                for (int i = 0; i < o.Count; i++)
                {
                    w.Write(i == 0 ? "\n" : ",\n");
                    Indent(w, indent + 2);
                    WriteString(w, o.KeyAt(i));
                    w.Write(": ");
                    WriteValue(w, o.ValueAt(i), indent + 2);
                }
                w.Write('\n');
                Indent(w, indent);
                w.Write('}');
                break;
            case List<object?> a when a.Count > 0 && !FitsOnOneLine(a):
                WriteItems(w, a, indent);
                break;
            case JsonLazyArray lazy when !FitsOnOneLine(lazy):
                // Not empty (an empty array fits): written item by item, each made as it is reached.
                WriteItems(w, lazy.Items, indent);
                break;
            case JsonStreamedArray streamed when !streamed.IsEmpty:
                w.Write('[');
                streamed.WriteItems(w, indent + 2);
                w.Write('\n');
                Indent(w, indent);
                w.Write(']');
                break;
            default:
                WriteInline(w, value, compact: false);
                break;
        }
    }

    private static void WriteItems(System.IO.TextWriter w, IEnumerable<object?> items, int indent)
    {
        w.Write('[');
        bool first = true;
        foreach (var item in items)
        {
            ItemStart(w, first, indent + 2);
            first = false;
            WriteValue(w, item, indent + 2);
        }
        w.Write('\n');
        Indent(w, indent);
        w.Write(']');
    }

    /// <summary>What comes before an array's item or an object's member: a line break (after a comma but for the first) and the indentation.</summary>
    internal static void ItemStart(System.IO.TextWriter w, bool first, int indent)
    {
        w.Write(first ? "\n" : ",\n");
        Indent(w, indent);
    }

    private static readonly string[] Spaces = MakeSpaces(64);

    private static string[] MakeSpaces(int n)
    {
        var s = new string[n + 1];
        for (int i = 0; i <= n; i++) s[i] = new string(' ', i);
        return s;
    }

    private static void Indent(System.IO.TextWriter w, int n)
    {
        for (; n > Spaces.Length - 1; n -= Spaces.Length - 1) w.Write(Spaces[Spaces.Length - 1]);
        w.Write(Spaces[n]);
    }

    /// <summary>Objects and arrays of scalars (or of such one-line objects) that stay short go on one line.</summary>
    private static bool FitsOnOneLine(object container)
    {
        int budget = InlineWidth;
        return Fits(container, ref budget, 0);
    }

    // Stops at the first item that does not fit, so a lazy array is looked at only as far as a line of text goes.
    private static bool Fits(object? value, ref int budget, int depth)
    {
        switch (value)
        {
            case JsonObject o:
                if (depth > 1) return false;
                budget -= 2;
                for (int k = 0; k < o.Count; k++)
                {
                    budget -= o.KeyAt(k).Length + 4;
                    if (!Fits(o.ValueAt(k), ref budget, depth + 1)) return false;
                }
                return budget >= 0;
            case List<object?> a:
                return FitsItems(a, ref budget, depth);
            case JsonLazyArray lazy:
                return FitsItems(lazy.Items, ref budget, depth);
            case JsonStreamedArray streamed:
                // Its items never fit on a line: only the empty array does.
                if (depth > 1 || !streamed.IsEmpty) return false;
                budget -= 2;
                return budget >= 0;
            case string s:
                budget -= s.Length + 4;
                return budget >= 0;
            default:
                budget -= 22;
                return budget >= 0;
        }
    }

    private static bool FitsItems(IEnumerable<object?> items, ref int budget, int depth)
    {
        if (depth > 1) return false;
        budget -= 2;
        foreach (var item in items)
            if (!Fits(item, ref budget, depth + 1)) return false;
        return budget >= 0;
    }

    private static void WriteInline(System.IO.TextWriter sb, object? value, bool compact)
    {
        switch (value)
        {
            case null: sb.Write("null"); break;
            case bool b: sb.Write(b ? "true" : "false"); break;
            case long l: WriteLong(sb, l); break;
            case int i: sb.Write(i.ToString(CultureInfo.InvariantCulture)); break;
            case JsonNumber n: sb.Write(n.Text); break;
            case string s: WriteString(sb, s); break;
            case JsonObject o:
                sb.Write('{');
                for (int k = 0; k < o.Count; k++)
                {
                    if (k > 0) sb.Write(compact ? "," : ", ");
                    WriteString(sb, o.KeyAt(k));
                    sb.Write(compact ? ":" : ": ");
                    WriteInline(sb, o.ValueAt(k), compact);
                }
                sb.Write('}');
                break;
            case List<object?> or JsonLazyArray:
                sb.Write('[');
                bool first = true;
                foreach (var item in value is JsonLazyArray lazy ? lazy.Items : (List<object?>)value)
                {
                    if (!first) sb.Write(compact ? "," : ", ");
                    first = false;
                    WriteInline(sb, item, compact);
                }
                sb.Write(']');
                break;
            case JsonStreamedArray streamed:
                if (!streamed.IsEmpty) throw new InvalidOperationException("A streamed array with items is written indented only.");
                sb.Write("[]");
                break;
            default:
                throw new ArgumentException($"A {value.GetType().Name} is not a JSON value.", nameof(value));
        }
    }

    /// <summary>A string in double quotes, escaped where JSON (or a JavaScript reader) needs it.</summary>
    internal static void WriteString(System.IO.TextWriter sb, string s)
    {
        sb.Write('"');
        if (!NeedsEscape(s))
        {
            // The common case (names, paths, numbers as text) in one write.
            sb.Write(s);
            sb.Write('"');
            return;
        }
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Write("\\\""); break;
                case '\\': sb.Write("\\\\"); break;
                case '\n': sb.Write("\\n"); break;
                case '\r': sb.Write("\\r"); break;
                case '\t': sb.Write("\\t"); break;
                default:
                    // Control characters, the two line separators JavaScript will not take raw, and surrogates (a lone
                    // one would not survive UTF-8) as \u escapes.
                    if (c < ' ' || c == '\u2028' || c == '\u2029' || char.IsSurrogate(c)) { sb.Write("\\u"); sb.Write(((int)c).ToString("x4", CultureInfo.InvariantCulture)); }
                    else sb.Write(c);
                    break;
            }
        }
        sb.Write('"');
    }

    [ThreadStatic] private static char[]? digits;

    /// <summary>A long in invariant digits, written without a string in between.</summary>
    internal static void WriteLong(System.IO.TextWriter w, long l)
    {
        if (l == long.MinValue) { w.Write("-9223372036854775808"); return; }
        var d = digits ??= new char[20];
        int n = d.Length;
        bool minus = l < 0;
        if (minus) l = -l;
        do { d[--n] = (char)('0' + (int)(l % 10)); l /= 10; } while (l != 0);
        if (minus) d[--n] = '-';
        w.Write(d, n, d.Length - n);
    }

    private static bool NeedsEscape(string s)
    {
        foreach (char c in s)
            if (c < ' ' || c == '"' || c == '\\' || c == '\u2028' || c == '\u2029' || char.IsSurrogate(c)) return true;
        return false;
    }
    #endregion
}
