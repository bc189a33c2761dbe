using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using OomTools.Engine.Reports;
using OomTools.Engine.Tests.Reports;
using Xunit;
using Xunit.Abstractions;

namespace OomTools.Engine.Tests.Fuzz;

/// <summary>
/// Issue 10: mutated real logs (every file under tests/fixtures/kernel-logs) through what Import-OomReport and
/// Invoke-OutOfMemory -Report do: read the bytes with <see cref="LogLineReader"/> (or feed the lines as piped text),
/// parse, rebuild each event's machine and replay it. Parsing never throws; reading throws only its two bounds;
/// a replay throws only what the cmdlet turns into an ErrorRecord (an engine refusal, a format or argument error).
/// </summary>
public class ReportFuzzTests
{
    private static readonly Lazy<string[][]> Corpus = new(() =>
        Directory.GetFiles(ReportInput.FixturesRoot, "*.log", SearchOption.AllDirectories)
            .OrderBy(f => f, StringComparer.Ordinal).Select(File.ReadAllLines).ToArray());

    private readonly ITestOutputHelper output;

    public ReportFuzzTests(ITestOutputHelper output) => this.output = output;

    [Fact]
    public void MutatedLogs_ParseAndReplayWithoutAnUndocumentedException()
    {
        var corpus = Corpus.Value;
        Assert.True(corpus.Length >= 32, $"only {corpus.Length} fixture logs found");
        FuzzRun.Run("report", output, (i, m) =>
        {
            var lines = m.MutateLines(corpus[m.Next(corpus.Length)], corpus[m.Next(corpus.Length)]);
            var reports = m.Next(3) == 0 ? ReportInput.ParseLines(lines, "fuzz") : ReadAsFile(lines, m);
            int replayed = 0;
            foreach (var r in reports)
            {
                if (r.Machine is null) continue;
                try { ReportReplay.Replay(r, r.Machine); replayed++; }
                catch (Exception e) when (e is OomEngineException or FormatException or ArgumentException) { }
            }
            return $"{lines.Count} lines, {reports.Count} reports, {replayed} replayed";
        });
    }

    /// <summary>The lines as a file's bytes, with random line ends, through the reader Import-OomReport uses.</summary>
    private static List<OomReport> ReadAsFile(List<string> lines, Mutator m)
    {
        string[] ends = { "\n", "\r\n", "\r" };
        var end = ends[m.Next(ends.Length)];
        var bytes = Encoding.UTF8.GetBytes(string.Join(end, lines));
        var parser = new OomReportParser("fuzz");
        var reports = new List<OomReport>();
        using var text = new StreamReader(new MemoryStream(bytes));
        var reader = new LogLineReader(text);
        try
        {
            string? line;
            while ((line = reader.ReadLine()) is not null) reports.AddRange(parser.Feed(line));
        }
        catch (InvalidDataException) { }
        catch (LogLineTooLongException) { }
        reports.AddRange(parser.Complete());
        return reports;
    }
}
