using System;
using System.IO;
using System.Text;

namespace OomTools.Engine.Serialization;

/// <summary>
/// A growable character buffer that is a <see cref="TextWriter"/>: a task's text is put together here with plain
/// array copies and handed to the real writer in one call, instead of dozens of calls per task on a
/// <see cref="StreamWriter"/>. <see cref="Json"/>'s own writing works on it too (the rare nested arrays).
/// </summary>
internal sealed class JsonTextBuffer : TextWriter
{
    private char[] chars = new char[32 * 1024];
    private int length;

    public override Encoding Encoding => Encoding.Unicode;

    /// <summary>How many characters are waiting.</summary>
    public int Length => length;

    private void Room(int n)
    {
        if (length + n > chars.Length) Array.Resize(ref chars, Math.Max(chars.Length * 2, length + n));
    }

    public override void Write(char value)
    {
        if (length == chars.Length) Array.Resize(ref chars, chars.Length * 2);
        chars[length++] = value;
    }

    public override void Write(string? value)
    {
        if (value is null) return;
        Room(value.Length);
        value.CopyTo(0, chars, length, value.Length);
        length += value.Length;
    }

    public override void Write(char[] buffer, int index, int count)
    {
        Room(count);
        Array.Copy(buffer, index, chars, length, count);
        length += count;
    }

    /// <summary>A long in invariant digits, as <see cref="Json"/> writes it.</summary>
    public void WriteNumber(long value)
    {
        if (value == long.MinValue) { Write("-9223372036854775808"); return; }
        Room(20);
        var room = chars;
        int at = length;
        ulong v = (ulong)value;
        if (value < 0)
        {
            room[at++] = '-';
            v = (ulong)-value;
        }
        // The digits counted by comparison, then written from the last, one division each.
        int end = at + DigitCount(v);
        length = end;
        do
        {
            ulong q = v / 10;
            room[--end] = (char)('0' + (int)(v - q * 10));
            v = q;
        }
        while (v != 0);
    }

    private static int DigitCount(ulong v)
    {
        int n = 1;
        for (; v >= 10000; v /= 10000) n += 4;
        if (v >= 100) { n += 2; v /= 100; }
        return v >= 10 ? n + 1 : n;
    }

    /// <summary><c>true</c> or <c>false</c>, a character at a time (a call to copy four or five is dearer).</summary>
    public void WriteBool(bool value)
    {
        Room(5);
        var room = chars;
        int at = length;
        if (value)
        {
            room[at] = 't'; room[at + 1] = 'r'; room[at + 2] = 'u'; room[at + 3] = 'e';
            length = at + 4;
        }
        else
        {
            room[at] = 'f'; room[at + 1] = 'a'; room[at + 2] = 'l'; room[at + 3] = 's'; room[at + 4] = 'e';
            length = at + 5;
        }
    }

    /// <summary>The most characters handed to the real writer in one call.</summary>
    public const int MaxPiece = 100;

    /// <summary>
    /// Hands the waiting characters to <paramref name="target"/>, in pieces of at most <see cref="MaxPiece"/>
    /// characters (the size of the writes the rest of the document is made of, so a writer that reacts to each write
    /// sees no difference), and empties the buffer.
    /// </summary>
    public void MoveTo(TextWriter target)
    {
        for (int at = 0; at < length; at += MaxPiece) target.Write(chars, at, Math.Min(MaxPiece, length - at));
        length = 0;
    }
}
