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
        ulong v = (ulong)(value < 0 ? -value : value);
        int digits = 1;
        for (ulong t = v; t >= 10; t /= 10) digits++;
        int n = digits + (value < 0 ? 1 : 0);
        if (value < 0) room[length] = '-';
        for (int i = length + n - 1; i >= length + n - digits; i--)
        {
            room[i] = (char)('0' + (int)(v % 10));
            v /= 10;
        }
        length += n;
    }

    /// <summary><c>true</c> or <c>false</c>.</summary>
    public void WriteBool(bool value) => Write(value ? "true" : "false");

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
