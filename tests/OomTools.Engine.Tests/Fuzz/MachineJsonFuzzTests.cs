using System;
using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Reports;
using OomTools.Engine.Tests.Reports;
using Xunit;
using Xunit.Abstractions;

namespace OomTools.Engine.Tests.Fuzz;

/// <summary>
/// Issue 10: mutated machine documents through what Import-OomMachine does with them. The corpus is every machine
/// rebuilt from the real logs under tests/fixtures/kernel-logs, written by <see cref="OomMachineJson.Write"/>. A
/// document either reads or fails with what the cmdlet turns into an ErrorRecord: an engine refusal
/// (<see cref="OomEngineException"/>), a <see cref="FormatException"/> or an <see cref="ArgumentException"/>.
/// </summary>
public class MachineJsonFuzzTests
{
    private static readonly Lazy<string[]> Corpus = new(() =>
        ReportInput.AllFiles().SelectMany(ReportInput.ParseFile)
            .Where(r => r.Machine is not null).Select(r => OomMachineJson.Write(r.Machine!)).ToArray());

    private readonly ITestOutputHelper output;

    public MachineJsonFuzzTests(ITestOutputHelper output) => this.output = output;

    [Fact]
    public void MutatedMachineDocuments_ReadOrFailWithADocumentedException()
    {
        var corpus = Corpus.Value;
        Assert.True(corpus.Length >= 50, $"only {corpus.Length} machine documents");
        FuzzRun.Run("machine JSON", output, (i, m) =>
        {
            var text = m.MutateText(corpus[m.Next(corpus.Length)], corpus[m.Next(corpus.Length)]);
            try
            {
                var machine = OomMachineJson.Read(text);
                return $"{text.Length} chars, read: {machine.Tasks.Count} tasks";
            }
            catch (Exception e) when (e is OomEngineException or FormatException or ArgumentException)
            {
                return $"{text.Length} chars, refused: {e.GetType().Name}";
            }
        });
    }
}
