using System;
using System.IO;
using System.Text;
using OomTools.Engine.Model;
using OomTools.Engine.Serialization;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Serialization;

/// <summary>The machine document written onto a TextWriter and read from a TextReader, a task at a time.</summary>
public class MachineJsonStreamingTests
{
    /// <summary>Counts what is written, and the largest single write: a document built whole arrives in one piece.</summary>
    private sealed class CountingWriter : TextWriter
    {
        private readonly StringBuilder text = new();
        public int LargestWrite { get; private set; }
        public override Encoding Encoding => Encoding.UTF8;
        public override void Write(char value) => Took(value.ToString());
        public override void Write(string? value) => Took(value ?? "");
        public override void Write(char[] buffer, int index, int count) => Took(new string(buffer, index, count));
        private void Took(string s)
        {
            LargestWrite = Math.Max(LargestWrite, s.Length);
            text.Append(s);
        }
        public override string ToString() => text.ToString();
    }

    private static OomMachine Tasks(int n)
    {
        var m = TestMachines.Machine(ram: 100_000_000);
        m.CreateCgroup("/app", memoryMax: new Pages(50_000_000));
        for (int i = 0; i < n; i++) m.Add(100 + i, anon: 1000 + i, name: "w" + i, cgroup: i % 2 == 0 ? "/app" : "/");
        return m;
    }

    [Fact]
    public void Write_OntoATextWriter_GivesTheSameDocumentInSmallPieces()
    {
        var m = Tasks(2000);
        var writer = new CountingWriter();

        OomMachineJson.Write(m, writer);

        string whole = m.ToJson();
        Assert.Equal(whole, writer.ToString());
        Assert.True(whole.Length > 1_000_000, $"{whole.Length} characters");
        // Nothing the size of the document (or of a task) is handed over at once: it is written as it is made.
        Assert.True(writer.LargestWrite <= 100, $"largest write {writer.LargestWrite} characters");
    }

    [Fact]
    public void Read_FromATextReader_IsOnePassForAWrittenDocument()
    {
        var m = Tasks(500);
        string json = m.ToJson();
        int opened = 0;

        var copy = OomMachineJson.Read(() => { opened++; return new StringReader(json); });

        Assert.Equal(1, opened);
        Assert.Equal(json, copy.ToJson());
    }

    [Fact]
    public void Read_ADocumentInAnotherOrder_IsReadWholeAndGivesTheSameMachine()
    {
        // Tasks before the cgroups they name: one pass cannot take it, so the document is read again, whole.
        const string json = "{\"schema\": \"oomtools.machine/v1\", \"tasks\": [{\"pid\": 7, \"comm\": \"a\", \"cgroup\": \"/x\"}], " +
            "\"memoryCgroups\": [{\"path\": \"/\"}, {\"path\": \"/x\", \"memoryMax\": 50}], \"ramPages\": 1000}";
        int opened = 0;

        var m = OomMachineJson.Read(() => { opened++; return new StringReader(json); });

        Assert.Equal(2, opened);
        Assert.Equal("/x", m.GetTask(7).Memcg.Path);
        Assert.Equal(50, m.GetCgroup("/x").MemoryMax.Value);
    }

    [Fact]
    public void ADeepCgroupTree_4000Levels_ExportsAndImports()
    {
        var m = TestMachines.Machine();
        var path = new StringBuilder();
        for (int level = 0; level < 4000; level++)
        {
            path.Append("/c");
            m.CreateCgroup(path.ToString());
        }
        m.Add(100, anon: 10, cgroup: path.ToString());
        var writer = new StringWriter();

        OomMachineJson.Write(m, writer);
        string json = writer.ToString();
        var copy = OomMachineJson.Read(() => new StringReader(json));

        Assert.Equal(4001, System.Linq.Enumerable.Count(copy.RootMemcg.SubtreePreOrder()));
        Assert.Equal(path.ToString(), copy.GetTask(100).Memcg.Path);
        Assert.Equal(json, copy.ToJson());
    }

    [Fact]
    public void Read_OfSomethingThatIsNotAnObject_StopsAtItsFirstCharacter()
    {
        // An endless source of NUL characters (/dev/zero) is refused at once, not read to its end.
        var ex = Assert.Throws<FormatException>(() => OomMachineJson.Read(() => new EndlessReader('\0')));
        Assert.Contains("line 1, column 1", ex.Message, StringComparison.Ordinal);
    }

    private sealed class EndlessReader : TextReader
    {
        private readonly char fill;
        public EndlessReader(char fill) => this.fill = fill;
        public override int Peek() => fill;
        public override int Read() => fill;
        public override int Read(char[] buffer, int index, int count)
        {
            for (int i = 0; i < count; i++) buffer[index + i] = fill;
            return count;
        }
    }
}
