using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using OomTools.Engine.Reports;
using Xunit;

namespace OomTools.Engine.Tests.Reports;

/// <summary>
/// Issue 10, case 11: a carrier never changes what a report means. Every real log under tests/fixtures/kernel-logs,
/// carried with CR-only line ends, behind a printk level (<c>&lt;4&gt;</c>, with or without a blank after it) or
/// behind a journal prefix before an indented line, gives the same events, task tables, kernel choices and replayed
/// victims as the file itself.
/// </summary>
public class CarrierTests
{
    private const string Journal = "Dec 04 12:00:00 host kernel: ";
    private static readonly Regex SyslogStamp = new(@"^\w{3} [ \d]\d \d\d:\d\d:\d\d ", RegexOptions.CultureInvariant);

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var f in ReportInput.AllFiles()) data.Add(Path.GetFileName(Path.GetDirectoryName(f)!) + "/" + Path.GetFileName(f));
        return data;
    }

    private static string FullPath(string file) => Path.Combine(ReportInput.FixturesRoot, file);

    /// <summary>What a report says that a carrier must not change: its line numbers, rows, choice and replay.</summary>
    private static string Meaning(List<OomReport> reports) => string.Join(Environment.NewLine, reports.Select(r =>
    {
        int? victim = r.Replayable && r.Machine is { } m ? ReportReplay.Replay(r, m).Victim?.Pid : null;
        return $"#{r.Index} lines {r.Lines.Count} first {r.Lines.FirstOrDefault()?.Number} tasks {r.Tasks.Count} " +
               $"selected {r.SelectedPid} killed [{string.Join(",", r.KilledPids)}] replayable {r.Replayable} victim {victim}";
    }));

    private static List<OomReport> Parse(IEnumerable<string> lines) => ReportInput.ParseLines(lines, "x");

    [Theory]
    [MemberData(nameof(Files))]
    public void CrOnlyLineEnds_ReadAsTheFileReads(string file)
    {
        var lines = File.ReadAllLines(FullPath(file));
        var expected = Meaning(Parse(lines));
        var cr = string.Join("\r", lines);

        // Piped as one string (Import-OomReport splits it), and read as a stream (a file or FIFO with CR ends).
        Assert.Equal(expected, Meaning(Parse(LogLineReader.SplitLines(cr))));
        var reader = new LogLineReader(new StringReader(cr));
        Assert.Equal(expected, Meaning(Parse(ReadAll(reader))));
        Assert.Equal(lines.Length, reader.LineNumber);
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void PrintkLevel_BeforeAnyLine_KeepsTheTaskTable(string file)
    {
        var lines = File.ReadAllLines(FullPath(file));
        var expected = Meaning(Parse(lines));
        Assert.Contains("tasks", expected);

        Assert.Equal(expected, Meaning(Parse(lines.Select(l => Carry("<4>", l)))));
        Assert.Equal(expected, Meaning(Parse(lines.Select(l => Carry("<4>  ", l)))));
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void JournalPrefix_BeforeAnIndentedLine_KeepsTheTaskTable(string file)
    {
        var lines = File.ReadAllLines(FullPath(file));
        // A file already carried by syslog would get a second journal prefix: not a carrier anyone sees.
        if (lines.Any(l => SyslogStamp.IsMatch(l.TrimStart('>', ' ')))) return;
        var expected = Meaning(Parse(lines));

        Assert.Equal(expected, Meaning(Parse(lines.Select(l => Carry(Journal, l)))));
        Assert.Equal(expected, Meaning(Parse(lines.Select(l => Carry(Journal + "   ", l)))));
        Assert.Equal(expected, Meaning(Parse(lines.Select(l => Carry("<4>" + Journal + "  ", l)))));
    }

    [Fact]
    public void IndentedStampBehindALevelOrJournal_IsAStamp()
    {
        const string row = "[   9424]     0  9424     6143     4572     3366      950       256    86016        0             0 python3";

        Assert.Equal(row, LineNormalizer.Normalize("<4>   [  385.502345] " + row, out var stamp));
        Assert.Equal("385.502345", stamp);
        Assert.Equal(row, LineNormalizer.Normalize(Journal + "   [  385.502345] " + row, out stamp));
        Assert.Equal("385.502345", stamp);
        Assert.Equal(row, LineNormalizer.Normalize("<4>Dec  4 12:00:00 host kernel: [  385.502345] " + row, out stamp));
        Assert.Equal("385.502345", stamp);
    }

    /// <summary><paramref name="carrier"/> before the line, inside its mail quoting ("> "), which is always outermost.</summary>
    private static string Carry(string carrier, string line)
    {
        int quote = 0;
        while (quote < line.Length && (line[quote] == '>' || line[quote] == ' ')) quote++;
        return line.Substring(0, quote) + carrier + line.Substring(quote);
    }

    private static IEnumerable<string> ReadAll(LogLineReader reader)
    {
        string? line;
        while ((line = reader.ReadLine()) is not null) yield return line;
    }
}
