using System;

namespace OomTools.Engine.Serialization;

internal sealed partial class JsonCharReader
{
    /// <summary>
    /// The members of an object as this version writes them, read straight off the buffer with the position in a local,
    /// one after another: whitespace, a plain name, ':', a plain integer, plain string, true, false or null (an object
    /// or array value is handed to <see cref="ReadValue"/>), then ',' or the closing '}'. Returns 1 when the object
    /// closed, 0 after a ',' the general check took, and -1 with nothing of the member consumed when a member is
    /// anything else (escapes, other numbers, a syntax error, the buffer's end): then the general reading takes that
    /// member from its start, with its errors.
    /// </summary>
    private int FastMembers(JsonObject obj, int depth)
    {
        if (depth + 1 > Json.MaxDepth) return -1;
        var buf = buffer;
        int n = length, i = index;
        while (true)
        {
            // Where this member starts: what is left to the general reading when it is not taken here.
            int memberStart = i, line0 = line;
            long lineStart0 = lineStart;

            // Whitespace, then the name's opening quote.
            if (!SkipSpaces(buf, n, ref i) || buf[i] != '"') return Undo(memberStart, line0, lineStart0);
            var at = (line, (int)(bufferStart + i - lineStart + 1));
            int start = ++i;
            // The name this reused object had here last time, when the text is that name: taken without a look-up.
            string? name = obj.Expected;
            if (name is not null && start + name.Length < n && buf[start + name.Length] == '"' && SameChars(name, start))
                i = start + name.Length;
            else
            {
                name = null;
                while (i < n && buf[i] is not ('"' or '\\') && buf[i] >= ' ') i++;
                if (i >= n || buf[i] != '"') return Undo(memberStart, line0, lineStart0);
            }
            int nameEnd = i++;

            // ':' between any whitespace; as written, ": " then the value.
            if (i + 2 < n && buf[i] == ':' && buf[i + 1] == ' ' && buf[i + 2] > ' ') i += 2;
            else
            {
                if (!SkipSpaces(buf, n, ref i) || buf[i] != ':') return Undo(memberStart, line0, lineStart0);
                i++;
                if (!SkipSpaces(buf, n, ref i)) return Undo(memberStart, line0, lineStart0);
            }

            object? value;
            char c = buf[i];
            if (c is '{' or '[')
            {
                // A nested value: read the general way (it may run past the buffer), then on from where it ended.
                string nested = name ?? NameAt(start, nameEnd - start);
                index = i;
                value = ReadValue(depth + 1);
                if (!obj.TryAdd(nested, value)) throw ErrorAt(at, $"the member \"{nested}\" appears twice in one object");
                buf = buffer;
                n = length;
                i = index;
            }
            else
            {
                if (c == '"')
                {
                    int s = ++i;
                    while (i < n && buf[i] is not ('"' or '\\') && buf[i] >= ' ') i++;
                    if (i >= n || buf[i] != '"') return Undo(memberStart, line0, lineStart0);
                    value = NameAt(s, i - s);
                    i++;
                }
                else if (c == '-' || (c >= '0' && c <= '9'))
                {
                    // The plain integers ReadNumber takes without a string: at most 18 digits, no leading zero, within the buffer.
                    int p = i;
                    bool minus = c == '-';
                    if (minus) p++;
                    int digits = p;
                    long v = 0;
                    int most = Math.Min(n, digits + 18);
                    uint d;
                    while (p < most && (d = (uint)(buf[p] - '0')) <= 9)
                    {
                        v = v * 10 + d;
                        p++;
                    }
                    if (p == digits || p >= n || (uint)(buf[p] - '0') <= 9 || buf[p] is '.' or 'e' or 'E' || (buf[digits] == '0' && p - digits > 1))
                        return Undo(memberStart, line0, lineStart0);
                    value = BoxOf(minus ? -v : v);
                    i = p;
                }
                else if (c == 't' && i + 4 <= n && buf[i + 1] == 'r' && buf[i + 2] == 'u' && buf[i + 3] == 'e')
                {
                    value = JsonObject.Box(true);
                    i += 4;
                }
                else if (c == 'f' && i + 5 <= n && buf[i + 1] == 'a' && buf[i + 2] == 'l' && buf[i + 3] == 's' && buf[i + 4] == 'e')
                {
                    value = JsonObject.Box(false);
                    i += 5;
                }
                else if (c == 'n' && i + 4 <= n && buf[i + 1] == 'u' && buf[i + 2] == 'l' && buf[i + 3] == 'l')
                {
                    value = null;
                    i += 4;
                }
                else return Undo(memberStart, line0, lineStart0);

                name ??= NameAt(start, nameEnd - start);
                if (!obj.TryAdd(name, value))
                {
                    index = i;
                    throw ErrorAt(at, $"the member \"{name}\" appears twice in one object");
                }
            }

            // ',' (then the next member) or '}' after any whitespace; anything else, or the buffer's end, is left to
            // the general check.
            if (i < n && buf[i] == ',')
            {
                i++;
                continue;
            }
            if (SkipSpaces(buf, n, ref i))
            {
                if (buf[i] == ',')
                {
                    i++;
                    continue;
                }
                if (buf[i] == '}')
                {
                    index = i + 1;
                    return 1;
                }
            }
            index = i;
            return EndOfMember('}', "an object") ? 1 : 0;
        }
    }

    // Nothing of the member consumed: the position and the line count go back to where it started.
    private int Undo(int memberStart, int line0, long lineStart0)
    {
        index = memberStart;
        line = line0;
        lineStart = lineStart0;
        return -1;
    }

    /// <summary>
    /// Skips whitespace from <paramref name="i"/> within the buffer, counting lines; true when a character other than
    /// whitespace is at <paramref name="i"/>, false at the buffer's end.
    /// </summary>
    private bool SkipSpaces(char[] buf, int n, ref int i)
    {
        while (i < n)
        {
            char c = buf[i];
            if (c == ' ') { i++; continue; }
            if (c == '\n')
            {
                i++;
                line++;
                lineStart = bufferStart + i;
                continue;
            }
            if (c is not ('\t' or '\r')) return true;
            i++;
        }
        return false;
    }
}
