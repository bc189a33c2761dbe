using System;
using OomTools.Engine.Model;
using OomTools.Engine.Serialization;
using Xunit;

namespace OomTools.Engine.Tests.Serialization;

/// <summary>An import refuses what the cmdlets would not build, naming the member (and the pid) at fault.</summary>
public class MachineJsonValidationTests
{
    private const string Head = "{\"schema\": \"oomtools.machine/v1\", \"ramPages\": 1000, ";

    private static string Doc(string rest) => Head + rest + "}";

    [Theory]
    [InlineData("\"tasks\": [{\"pid\": 5, \"comm\": \"a\", \"threads\": []}]", "$.tasks[0].threads is empty (pid 5)")]
    [InlineData("\"tasks\": [{\"pid\": 5, \"comm\": \"a\", \"tgid\": 9}]", "$.tasks[0].tgid is 9, but the process has pid 5")]
    [InlineData("\"tasks\": [{\"pid\": 1, \"comm\": \"init\"}, {\"pid\": 5, \"comm\": \"b\", \"globalInit\": true}]", "$.tasks[1] (pid 5) is a global init, and so is pid 1")]
    [InlineData("\"memoryCgroups\": [{\"path\": \"/\", \"memoryMax\": 0}]", "$.memoryCgroups[0].memoryMax is 0: the root memory cgroup has no limit")]
    [InlineData("\"memoryCgroups\": [{\"path\": \"/\", \"oomGroup\": true}]", "$.memoryCgroups[0].oomGroup is true")]
    [InlineData("\"state\": {\"clockNs\": 9223372036854775807}", "$.state.clockNs 9223372036854775807 is more than")]
    [InlineData("\"tasks\": [{\"pid\": 5, \"comm\": \"a\", \"oomScoreAdj\": -1001}]", "$.tasks[0].oomScoreAdj must be between -1000 and 1000")]
    [InlineData("\"memoryCgroups\": [{\"path\": \"/\"}, {\"path\": \"//x\"}]", "$.memoryCgroups[1].path '//x' is not a canonical cgroup path")]
    [InlineData("\"memoryCgroups\": [{\"path\": \"/x/\"}]", "$.memoryCgroups[0].path '/x/' is not a canonical cgroup path")]
    [InlineData("\"memoryCgroups\": [{\"path\": \"/x\"}, {\"path\": \"/x/../y\"}]", "$.memoryCgroups[1].path '/x/../y' is not a canonical")]
    [InlineData("\"memoryCgroups\": [{\"path\": \"x\"}]", "$.memoryCgroups[0].path 'x' is not a canonical")]
    [InlineData("\"cpusets\": [{\"path\": \"/a/./b\", \"mems\": \"0\"}]", "$.cpusets[0].path '/a/./b' is not a canonical")]
    public void AStateTheCmdletsRefuse_IsInvalidArgumentNamingTheMember(string rest, string fragment)
    {
        var ex = Assert.Throws<OomEngineException>(() => OomMachine.FromJson(Doc(rest)));
        Assert.Equal(OomError.InvalidArgument, ex.Error);
        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("\"tasks\": [{\"pid\": 5, \"comm\": \"a\", \"mm\": {\"id\": 1, \"anonPages\": -1}}]", OomError.NegativeSize, "$.tasks[0].mm.anonPages cannot be negative")]
    [InlineData("\"tasks\": [{\"pid\": 5, \"comm\": \"a\"}, {\"pid\": 5, \"comm\": \"b\"}]", OomError.DuplicatePid, "$.tasks[1] (pid 5): Machine 'oom-machine' already has a process with pid 5")]
    [InlineData("\"memoryCgroups\": [{\"path\": \"/\"}, {\"path\": \"/a/b\"}]", OomError.CgroupNotFound, "$.memoryCgroups[1].path '/a/b': its parent '/a' is not listed before it")]
    [InlineData("\"cpusets\": [{\"path\": \"/a/b\", \"mems\": \"0\"}]", OomError.CpusetNotFound, "$.cpusets[0].path '/a/b': its parent '/a'")]
    public void AnEngineRefusal_KeepsItsErrorAndNamesTheMember(string rest, OomError error, string fragment)
    {
        var ex = Assert.Throws<OomEngineException>(() => OomMachine.FromJson(Doc(rest)));
        Assert.Equal(error, ex.Error);
        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AWrittenDocument_IsRefusedTheSameWayWhenReadAsAStream()
    {
        // A complete document (every first member there) is read in one pass; its refusals are the same.
        var m = TestMachines.Machine();
        m.Add(1, anon: 10, name: "init");
        m.Add(5, anon: 10, name: "b");
        string json = m.ToJson().Replace("\"tgid\": 5,", "\"tgid\": 1,", StringComparison.Ordinal);
        int opened = 0;

        var ex = Assert.Throws<OomEngineException>(() => OomMachineJson.Read(() => { opened++; return new System.IO.StringReader(json); }));

        Assert.Equal(1, opened);
        Assert.Contains("$.tasks[1].tgid is 1, but the process has pid 5", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheRootListedAsTheWriterWritesIt_IsTaken()
    {
        var m = OomMachine.FromJson(Doc("\"memoryCgroups\": [{\"path\": \"/\", \"memoryMax\": \"max\", \"swapMax\": null}, {\"path\": \"/x\"}, {\"path\": \"/x/y\"}]"));
        Assert.NotNull(m.FindCgroup("/x/y"));
    }
}
