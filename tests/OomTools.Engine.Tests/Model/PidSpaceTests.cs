using System.Linq;
using OomTools.Engine.Model;
using OomTools.Engine.Serialization;
using Xunit;

namespace OomTools.Engine.Tests.Model;

/// <summary>
/// Pids and thread ids are one number space (<c>alloc_pid</c> hands out both), and a machine has one global init
/// (<c>is_global_init</c>): what the engine refuses, so an export always imports again.
/// </summary>
public class PidSpaceTests
{
    [Fact]
    public void AddTask_APidThatIsAnotherProcessesThreadId_IsRefused()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 10, with: s => s.Threads = 3);
        var e = Assert.Throws<OomEngineException>(() => m.Add(101, anon: 10));
        Assert.Equal(OomError.DuplicatePid, e.Error);
        Assert.Contains("thread id of process 100", e.Message);
        Assert.Null(m.FindTask(101));
    }

    [Fact]
    public void AddTask_DefaultThreadIdsAreTheNextFreeIds()
    {
        var m = TestMachines.Machine();
        m.Add(101, anon: 10);
        var t = m.Add(100, anon: 10, with: s => s.Threads = 3);
        Assert.Equal(new[] { 102, 103 }, t.ThreadList.Skip(1).Select(x => x.Tid));
    }

    [Fact]
    public void AddTask_GivenThreadIdThatIsAPid_IsRefused()
    {
        var m = TestMachines.Machine();
        m.Add(200, anon: 10);
        var e = Assert.Throws<OomEngineException>(() => m.Add(100, anon: 10, with: s => { s.Threads = 2; s.ThreadIds = new[] { 200 }; }));
        Assert.Equal(OomError.DuplicatePid, e.Error);
        Assert.Null(m.FindTask(100));
    }

    [Fact]
    public void AddTask_ASecondGlobalInit_IsRefused()
    {
        var m = TestMachines.Machine();
        m.Add(1, anon: 10);
        var e = Assert.Throws<OomEngineException>(() => m.Add(50, anon: 10, with: s => s.GlobalInit = true));
        Assert.Contains("one init process", e.Message);
        Assert.Null(m.FindTask(50));
    }

    [Fact]
    public void Import_AThreadIdThatIsAnotherPid_IsRefused_AndAReleasedThreadIdIsFreeAgain()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 10, with: s => s.Threads = 2);
        m.Add(300, anon: 10);
        string json = OomMachineJson.Write(m).Replace("\"tid\": 101", "\"tid\": 300");
        Assert.Contains("\"tid\": 300", json);
        Assert.Throws<OomEngineException>(() => OomMachineJson.Read(json));

        m.Exit.DoExit(m.GetTask(100));
        Assert.Equal(101, m.Add(101, anon: 10).Pid);
    }
}
