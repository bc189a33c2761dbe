using System;
using System.IO;
using System.Linq;
using System.Text;
using OomTools.Engine.Reports;
using Xunit;

namespace OomTools.Engine.Tests.Reports;

/// <summary>
/// Issue 10, cases 2 and 5: crafted lines parse in time linear in their length (the timing itself is a benchmark,
/// bench/Measure-CraftedLines.ps1; here, that such lines are cut and read), and <see cref="LogLineReader"/> bounds
/// every read: lines cut at 64 KiB, binary input and endless lines stopped with an exception.
/// </summary>
public class BoundedInputTests
{
    private const string Invoked = "x invoked oom-killer: gfp_mask=0xcc0(GFP_KERNEL), order=0, oom_score_adj=0";

    public static TheoryData<string> CraftedLines() => new()
    {
        "CPU: 0 PID: 1 Comm: x Tainted: " + new string(' ', 10_000_000) + "1",
        "[" + Repeat("Mon Dec  4 12:00:00 2024 ", 10_000_000),
        Repeat("Kill process 1 (", 10_000_000),
        "x " + Repeat("invoked oom-killer", 10_000_000),
        Repeat("a: Killed process 1 (", 10_000_000),
        "Memory cgroup stats for /a:" + new string('a', 10_000_000),
        "oom-kill:constraint=x,nodemask=" + Repeat(",0,global_oom,task=x", 10_000_000),
    };

    private static string Repeat(string unit, int length)
    {
        var b = new StringBuilder(length + unit.Length);
        while (b.Length < length) b.Append(unit);
        return b.ToString();
    }

    [Theory]
    [MemberData(nameof(CraftedLines))]
    public void ACraftedLineInsideAnEvent_IsCutAt64KiB_AndTheEventGoesOn(string crafted)
    {
        var clamd = File.ReadAllLines(ReportInput.Public("25-parseoom-debian11-5.10-clamd-global-hugepages.log"));
        int at = Array.FindIndex(clamd, l => l.Contains("invoked oom-killer:")) + 1;
        var lines = clamd.Take(at).Append(crafted).Concat(clamd.Skip(at)).ToList();

        var reports = ReportInput.ParseLines(lines);

        Assert.All(reports.SelectMany(r => r.Lines), l => Assert.True(l.Raw.Length <= LogLineReader.MaxLineLength));
        Assert.Contains(reports, r => r.Tasks.Count == 35);
    }

    [Fact]
    public void Reader_CutsALongLine_AndTellsItsWholeLength()
    {
        var text = "a\n" + new string('y', 100_000) + "\r\nb";
        var reader = new LogLineReader(new StringReader(text));

        Assert.Equal("a", reader.ReadLine());
        Assert.False(reader.LastLineCut);
        Assert.Equal(new string('y', LogLineReader.MaxLineLength), reader.ReadLine());
        Assert.True(reader.LastLineCut);
        Assert.Equal(100_000, reader.LastLineLength);
        Assert.Equal(2, reader.LineNumber);
        Assert.Equal("b", reader.ReadLine());
        Assert.Null(reader.ReadLine());
        Assert.Equal(3, reader.LineNumber);
    }

    [Theory]
    [InlineData("a\nb\n", new[] { "a", "b" })]
    [InlineData("a\rb\r\nc", new[] { "a", "b", "c" })]
    [InlineData("\r\r\n\n", new[] { "", "", "" })]
    [InlineData("", new string[0])]
    public void Reader_EndsLinesAsTextReaderDoes(string text, string[] expected)
    {
        var reader = new LogLineReader(new StringReader(text));
        var got = new System.Collections.Generic.List<string>();
        string? line;
        while ((line = reader.ReadLine()) is not null) got.Add(line);

        Assert.Equal(expected, got);
        var fromTextReader = new System.Collections.Generic.List<string>();
        var tr = new StringReader(text);
        while ((line = tr.ReadLine()) is not null) fromTextReader.Add(line);
        Assert.Equal(fromTextReader, got);
    }

    [Fact]
    public void SplitLines_SplitsAtCrLfAndCrlf_KeepingAnEmptyLastLine()
    {
        Assert.Equal(new[] { "a", "b", "c", "" }, LogLineReader.SplitLines("a\rb\r\nc\n").ToArray());
        Assert.Equal(new[] { "" }, LogLineReader.SplitLines("").ToArray());
    }

    [Fact]
    public void Reader_StopsEndlessNuls_WithInvalidData()
    {
        var reader = new LogLineReader(new StreamReader(new EndlessStream(0)));

        var e = Assert.Throws<InvalidDataException>(() => reader.ReadLine());
        Assert.Contains("not a text log", e.Message);
    }

    [Fact]
    public void Reader_StopsALineWithoutEnd_WithLogLineTooLong()
    {
        var reader = new LogLineReader(new StreamReader(new EndlessStream((byte)'y')));

        var e = Assert.Throws<LogLineTooLongException>(() => reader.ReadLine());
        Assert.Contains("67,108,864", e.Message);
    }

    [Fact]
    public void Reader_ReadsPastACrashsBlockOfNuls()
    {
        var log = "Dec 20 03:17:52 host kernel: before\n" + new string('\0', 3 * 1024 * 1024) + "Dec 20 03:18:00 host kernel: after\nlast";
        var reader = new LogLineReader(new StringReader(log));

        Assert.Equal("Dec 20 03:17:52 host kernel: before", reader.ReadLine());
        Assert.EndsWith("\0", reader.ReadLine());
        Assert.Equal("last", reader.ReadLine());
        Assert.Null(reader.ReadLine());
    }

    /// <summary>A stream that never ends, of one byte value: /dev/zero, or yes | tr -d '\n'.</summary>
    private sealed class EndlessStream : Stream
    {
        private readonly byte value;
        public EndlessStream(byte value) => this.value = value;
        public override int Read(byte[] buffer, int offset, int count)
        {
            Array.Fill(buffer, value, offset, count);
            return count;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
