using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Runtime.CompilerServices;
using System.Text;

namespace OomTools.Engine.Serialization;

/// <summary>
/// The JSON (RFC 8259) reader under <see cref="Json.Parse"/> and the machine document's streaming reader: reads
/// from a <see cref="TextReader"/> through a small buffer, one value at a time, so a document of any size is read
/// in the memory of its largest value the caller asks for. Integers are read exactly as <see cref="long"/>; a
/// syntax error is a <see cref="FormatException"/> naming the line and column.
/// </summary>
internal sealed partial class JsonCharReader
{
    private readonly TextReader source;
    private readonly char[] buffer = new char[16 * 1024];
    private readonly StringBuilder text = new();
    private int length, index;
    // Where the next character is, what an error names: the line, and where it started (counted in characters from
    // the start of the document, as is where the buffer starts), so only a line break updates anything.
    private int line = 1;
    private long bufferStart, lineStart;

    public JsonCharReader(TextReader source) => this.source = source ?? throw new ArgumentNullException(nameof(source));

    /// <summary>
    /// A reader whose name table starts with <paramref name="knownNames"/>: a member of one of these names is read as
    /// that very string, so the caller's lookups by the same (interned) literal match by reference, not character by
    /// character.
    /// </summary>
    public JsonCharReader(TextReader source, IReadOnlyList<string> knownNames)
        : this(source)
    {
        foreach (var name in knownNames) names[NameSlot(name)] = name;
    }

    public bool AtEnd => Peek() < 0;

    /// <summary>The next character, or -1 at the end.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Peek() => index < length ? buffer[index] : Refill();

    // Past the buffer's end: the next buffer's first character, or -1 at the end.
    private int Refill()
    {
        bufferStart += length;
        length = source.Read(buffer, 0, buffer.Length);
        index = 0;
        return length > 0 ? buffer[0] : -1;
    }

    private char Next()
    {
        if (Peek() < 0) throw Error("the document ends too early");
        char c = buffer[index++];
        if (c == '\n') NewLine();
        return c;
    }

    /// <summary>The place of the next character, for an error about something that starts there.</summary>
    public (int Line, int Column) Mark => (line, (int)(bufferStart + index - lineStart + 1));

    // The character just passed (index - 1) was a line break.
    private void NewLine()
    {
        line++;
        lineStart = bufferStart + index;
    }

    public FormatException Error(string what) => ErrorAt(Mark, what);

    public static FormatException ErrorAt((int Line, int Column) at, string what) =>
        new($"Not valid JSON at line {at.Line}, column {at.Column}: {what}.");

    /// <summary>A byte-order mark that survived decoding is not part of the document.</summary>
    public void SkipByteOrderMark()
    {
        if (Peek() == '\uFEFF') Next();
    }

    public void SkipWhitespace()
    {
        // Straight over the buffer with the position in a local (a field would go through memory for every character):
        // indentation is most of a written document.
        while (true)
        {
            int i = index;
            bool found = SkipSpaces(buffer, length, ref i);
            index = i;
            if (found || Refill() < 0) return;
        }
    }

    /// <summary>Consumes <paramref name="c"/>, or throws <paramref name="what"/> at the character found instead.</summary>
    public void Expect(char c, string what)
    {
        // Within the buffer, a character that is not a line break is taken at once.
        if (index < length && buffer[index] == c && c != '\n')
        {
            index++;
            return;
        }
        if (Peek() != c) throw Error(what);
        Next();
    }

    /// <summary>Consumes <paramref name="c"/> when it is next.</summary>
    public bool TryTake(char c)
    {
        if (Peek() != c) return false;
        Next();
        return true;
    }

    public object? ReadValue(int depth)
    {
        if (depth > Json.MaxDepth) throw Error($"the document is nested more than {Json.MaxDepth} levels deep");
        int c = Peek();
        if (c < 0) throw Error("the document ends where a value should be");
        switch (c)
        {
            case '{': return ReadObject(depth);
            case '[': return ReadArray(depth);
            case '"': return ReadName(); // values repeat too: "/", "max", a comm
            case 't': ExpectWord("true"); return JsonObject.Box(true);
            case 'f': ExpectWord("false"); return JsonObject.Box(false);
            case 'n': ExpectWord("null"); return null;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber();
                throw Error($"'{(char)c}' cannot start a value");
        }
    }

    private void ExpectWord(string word)
    {
        // The whole word within the buffer: taken at once.
        if (index + word.Length <= length && SameChars(word, index))
        {
            index += word.Length;
            return;
        }
        var at = Mark;
        foreach (char w in word)
        {
            if (Peek() != w) throw ErrorAt(at, $"expected '{word}'");
            Next();
        }
    }

    private JsonObject ReadObject(int depth)
    {
        var obj = NewObject();
        Next(); // {
        SkipWhitespace();
        if (TryTake('}')) return obj;
        while (true)
        {
            // The members as a written document has them, read in one go; any other member the way below, from its start.
            int fast = FastMembers(obj, depth);
            if (fast > 0) return obj;
            if (fast == 0) continue;
            SkipWhitespace();
            if (Peek() != '"') throw Error("expected a member name in double quotes");
            var at = Mark;
            var name = ReadName();
            SkipWhitespace();
            Expect(':', "expected ':' after a member name");
            SkipWhitespace();
            var value = ReadValue(depth + 1);
            if (!obj.TryAdd(name, value)) throw ErrorAt(at, $"the member \"{name}\" appears twice in one object");
            if (EndOfMember('}', "an object")) return obj;
        }
    }

    /// <summary>After a member or item: true at the closing <paramref name="close"/>, false after a ','.</summary>
    public bool EndOfMember(char close, string inside)
    {
        SkipWhitespace();
        // Within the buffer, the ',' or close bracket is taken at once.
        if (index < length)
        {
            char c = buffer[index];
            if (c == ',' || c == close)
            {
                index++;
                return c == close;
            }
        }
        if (AtEnd) throw Error($"the document ends inside {inside}");
        if (TryTake(',')) return false;
        if (TryTake(close)) return true;
        throw Error(close == '}' ? "expected ',' or '}' in an object" : "expected ',' or ']' in an array");
    }

    private List<object?> ReadArray(int depth)
    {
        var list = NewList();
        Next(); // [
        SkipWhitespace();
        if (TryTake(']')) return list;
        while (true)
        {
            SkipWhitespace();
            list.Add(ReadValue(depth + 1));
            if (EndOfMember(']', "an array")) return list;
        }
    }

    // The objects and arrays made since the last Recycle, kept for reuse: the streaming reader reads a million tasks
    // of two objects and a few arrays each, and drops each task before it reads the next.
    private List<JsonObject>? objects;
    private List<List<object?>>? lists;
    private int objectsUsed, listsUsed;

    /// <summary>
    /// From now on, objects and arrays are reused: each <see cref="ReadValue"/> after a <see cref="Recycle"/> may hand
    /// back the ones of the values read before it, emptied. For a caller that is done with a value before it reads
    /// the next; values read before this call are never reused.
    /// </summary>
    public void Recycle()
    {
        objects ??= new List<JsonObject>();
        lists ??= new List<List<object?>>();
        objectsUsed = listsUsed = 0;
    }

    private JsonObject NewObject()
    {
        if (objects is null) return new JsonObject();
        if (objectsUsed == objects.Count) objects.Add(new JsonObject());
        var o = objects[objectsUsed++];
        o.Reset();
        return o;
    }

    private List<object?> NewList()
    {
        if (lists is null) return new List<object?>();
        if (listsUsed == lists.Count) lists.Add(new List<object?>());
        var l = lists[listsUsed++];
        l.Clear();
        return l;
    }

    // Member names repeat in every object of a document: each is made into a string once. String values share the
    // table (comms, cgroup paths): it is big enough that a fleet's few thousand of them seldom push a name out.
    private readonly string?[] names = new string?[4096];

    /// <summary>A member name: as <see cref="ReadString"/>, but a name seen before is the same string again.</summary>
    public string ReadName()
    {
        if (Peek() == '"')
        {
            int start = index + 1, end = start;
            while (end < length && buffer[end] is not ('"' or '\\') && buffer[end] >= ' ') end++;
            if (end < length && buffer[end] == '"')
            {
                index = end + 1;
                return NameAt(start, end - start);
            }
        }
        return ReadString();
    }

    /// <summary>The text of the buffer's <paramref name="n"/> characters from <paramref name="start"/>, from the name table.</summary>
    private string NameAt(int start, int n)
    {
        ref string? slot = ref names[NameSlot(start, n)];
        if (slot is null || slot.Length != n || !SameChars(slot, start)) slot = new string(buffer, start, n);
        return slot;
    }

    // A name's slot from its length and four of its characters, not a hash of every one (the scan for the closing quote
    // stays a plain loop): the text is compared with the slot's anyway, so a shared slot costs a string, not a mistake.
    private int NameSlot(int start, int n) =>
        n == 0 ? Slot(0, '\0', '\0', '\0', '\0') : Slot(n, buffer[start], buffer[start + n - 1], buffer[start + n / 2], buffer[start + n / 4 * 3]);

    private int NameSlot(string name) =>
        name.Length == 0 ? Slot(0, '\0', '\0', '\0', '\0') : Slot(name.Length, name[0], name[name.Length - 1], name[name.Length / 2], name[name.Length / 4 * 3]);

    private int Slot(int n, char first, char last, char middle, char threeQuarters)
    {
        uint h = (uint)n * 2654435761u;
        h ^= first * 31u ^ last * 131071u ^ middle * 8191u ^ threeQuarters * 524287u;
        h ^= h >> 15;
        h *= 0x2C1B3C6Du;
        h ^= h >> 12;
        return (int)(h % (uint)names.Length);
    }

    private bool SameChars(string s, int start)
    {
        // Only within the buffer: callers check that start + s.Length <= length.
        for (int i = 0; i < s.Length; i++)
            if (buffer[start + i] != s[i]) return false;
        return true;
    }

    public string ReadString()
    {
        Next(); // opening quote
        text.Clear();
        while (true)
        {
            if (AtEnd) throw Error("the document ends inside a string");
            // The plain characters up to a quote, backslash or control character, in one append.
            int start = index;
            while (index < length && buffer[index] is not ('"' or '\\') && buffer[index] >= ' ') index++;
            if (index > start)
            {
                text.Append(buffer, start, index - start);
                continue;
            }
            var at = Mark;
            char c = Next();
            if (c == '"') return text.ToString();
            if (c < ' ') throw ErrorAt(at, "a control character must be escaped inside a string");
            if (c != '\\') { text.Append(c); continue; }
            if (AtEnd) throw Error("the document ends inside an escape");
            at = Mark;
            char e = Next();
            switch (e)
            {
                case '"': text.Append('"'); break;
                case '\\': text.Append('\\'); break;
                case '/': text.Append('/'); break;
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'n': text.Append('\n'); break;
                case 'r': text.Append('\r'); break;
                case 't': text.Append('\t'); break;
                case 'u':
                    int code = 0;
                    for (int k = 0; k < 4; k++)
                    {
                        int h = Peek();
                        int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
                        if (d < 0) throw Error("\\u must be followed by four hex digits");
                        Next();
                        code = code * 16 + d;
                    }
                    text.Append((char)code);
                    break;
                default:
                    throw ErrorAt(at, $"'\\{e}' is not a JSON escape");
            }
        }
    }

    // Boxes of the numbers outside the shared small ones, by value, in a small direct-mapped table: a task repeats its
    // pid (tgid, its leader's tid, its mm's owner), and page counts and page-table sizes recur from task to task.
    private readonly object?[] bigBoxes = new object?[4096];
    // Each slot's value beside its box: a slot is checked without reading the box (a cache miss of its own).
    private readonly long[] bigValues = new long[4096];

    private object BoxOf(long v)
    {
        if (v is >= -1024 and < 1024) return JsonObject.Box(v);
        // A multiplicative hash: page-table sizes are multiples of 4096, and would all fall in one slot of v % 4096.
        int slot = (int)(((ulong)v * 0x9E3779B97F4A7C15UL) >> 52);
        var box = bigBoxes[slot];
        if (box is not null && bigValues[slot] == v) return box;
        bigValues[slot] = v;
        return bigBoxes[slot] = v;
    }

    private object ReadNumber()
    {
        // A plain integer within the buffer, without a string in between.
        int p = index;
        bool minus = p < length && buffer[p] == '-';
        if (minus) p++;
        int digits = p;
        long v = 0;
        while (p < length && buffer[p] >= '0' && buffer[p] <= '9' && p - digits < 18) v = v * 10 + (buffer[p++] - '0');
        if (p > digits && p < length && (buffer[p] is < '0' or > '9') && buffer[p] is not ('.' or 'e' or 'E') && !(buffer[digits] == '0' && p - digits > 1))
        {
            index = p;
            if (minus) v = -v;
            return BoxOf(v);
        }
        text.Clear();
        if (Peek() == '-') text.Append(Next());
        if (!IsDigit(Peek())) throw Error("a '-' must be followed by digits");
        if (Peek() == '0') text.Append(Next());
        else Digits();
        bool integer = true;
        if (Peek() == '.')
        {
            integer = false;
            text.Append(Next());
            if (!IsDigit(Peek())) throw Error("a decimal point must be followed by digits");
            Digits();
        }
        if (Peek() is 'e' or 'E')
        {
            integer = false;
            text.Append(Next());
            if (Peek() is '+' or '-') text.Append(Next());
            if (!IsDigit(Peek())) throw Error("an exponent must have digits");
            Digits();
        }
        var s = text.ToString();
        if (integer && long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return JsonObject.Box(n);
        return new JsonNumber(s);
    }

    private void Digits()
    {
        while (IsDigit(Peek())) text.Append(Next());
    }

    private static bool IsDigit(int c) => c >= '0' && c <= '9';
}
