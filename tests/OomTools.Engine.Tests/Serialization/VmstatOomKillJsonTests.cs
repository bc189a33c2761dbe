using OomTools.Engine.Serialization;
using Xunit;

namespace OomTools.Engine.Tests.Serialization;

/// <summary>
/// OomMachine.VmstatOomKill in the machine document: kept when a snapshot read it (so a snapshot sent over
/// remoting still exports its kill counter), absent and null otherwise, so modelled machines' documents do not change.
/// </summary>
public class VmstatOomKillJsonTests
{
    private static OomTools.Engine.Model.OomMachine Machine(long? vmstatOomKill)
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 1000);
        m.VmstatOomKill = vmstatOomKill;
        return m;
    }

    [Fact]
    public void ReadVmstatOomKill_SurvivesTheRoundTrip()
    {
        var m = Machine(2059);

        var json = OomMachineJson.Write(m);

        Assert.Contains("\"vmstatOomKill\": 2059", json);
        Assert.Equal(2059L, OomMachineJson.Read(json).VmstatOomKill);
    }

    [Fact]
    public void UnreadVmstatOomKill_IsNotWritten_AndReadsBackNull()
    {
        var m = Machine(null);

        var json = OomMachineJson.Write(m);

        Assert.DoesNotContain("vmstatOomKill", json);
        Assert.Null(OomMachineJson.Read(json).VmstatOomKill);
    }

    [Fact]
    public void NegativeVmstatOomKill_IsRefused()
    {
        var m = Machine(5);
        var json = OomMachineJson.Write(m).Replace("\"vmstatOomKill\": 5", "\"vmstatOomKill\": -5");

        Assert.Throws<OomEngineException>(() => OomMachineJson.Read(json));
    }
}
