using System.Linq;
using OomTools.Engine.Exit;
using OomTools.Engine.Model;
using OomTools.Engine.Serialization;
using OomTools.Engine.Units;
using Xunit;
using static OomTools.Engine.Tests.TestMachines;

namespace OomTools.Engine.Tests.Serialization;

/// <summary>The v1 document's optional "shared" array: shared objects, their charge and their mappers.</summary>
public class SharedMemoryJsonTests
{
    private static OomMachine WithSharing()
    {
        var m = Machine(cgroups: CgroupVersion.V1);
        m.CreateCgroup("/app");
        m.Add(100, anon: 1200, name: "parent");
        m.Add(200, anon: 1500, name: "child", cgroup: "/app", with: s =>
        {
            s.Shared.Add(new SharedMapping { Kind = SharedMemoryKind.CowAnon, With = 100, Pages = new Pages(1000) });
            s.Shared.Add(new SharedMapping { Kind = SharedMemoryKind.Shmem, Name = "/dev/shm/q", Pages = new Pages(300), Linked = false });
        });
        m.AddSharer(201, 200, name: "child-vm");
        m.Add(300, anon: 10, name: "writer", with: s => s.Shared.Add(new SharedMapping { Kind = SharedMemoryKind.Shmem, Name = "/dev/shm/keep", Pages = new Pages(50) }));
        m.RemoveTask(m.GetTask(300)); // the linked file stays with no mapper
        return m;
    }

    [Fact]
    public void RoundTrip_SameTextAndTheSameObjects()
    {
        var m = WithSharing();
        string first = m.ToJson();
        var copy = OomMachine.FromJson(first);

        Assert.Equal(first, copy.ToJson());
        Assert.Contains("\"shared\"", first);
        Assert.Equal(new[] { "cow:100", "/dev/shm/q", "/dev/shm/keep" }, copy.Shared.Select(s => s.Name).ToArray());
        var cow = copy.FindShared("cow:100")!;
        Assert.Equal(SharedMemoryKind.CowAnon, cow.Kind);
        Assert.Equal("/", cow.Memcg.Path);
        Assert.Equal(new[] { 100, 200 }, cow.MapperPids.ToArray());
        // The CLONE_VM sharer and the child map it through one mm.
        Assert.Same(copy.GetTask(200).Mm, cow.Mappers[1]);
        Assert.Same(copy.GetTask(201).Mm, cow.Mappers[1]);
        var q = copy.FindShared("/dev/shm/q")!;
        Assert.False(q.Linked);
        Assert.Equal("/app", q.Memcg.Path);
        var keep = copy.FindShared("/dev/shm/keep")!;
        Assert.True(keep.Linked);
        Assert.Empty(keep.Mappers);
        Assert.Equal(1000, copy.GetTask(200).Mm!.SharedAnonPages.Value);
        Assert.Equal(300, copy.GetTask(200).Mm!.SharedShmemPages.Value);
    }

    [Fact]
    public void ReadMachine_FreesWhatTheOriginalWould()
    {
        var copy = OomMachine.FromJson(WithSharing().ToJson());

        copy.RemoveTask(copy.GetTask(201));
        var release = copy.Exit.DoExit(copy.GetTask(200));

        Assert.Equal(500 + 300, release.Freed.Value);
        Assert.Equal(1000, release.SharedKept.Value);
    }

    [Fact]
    public void MachineWithoutSharedObjects_WritesNoSharedMember()
    {
        var m = Machine();
        m.Add(100, anon: 10);

        Assert.DoesNotContain("\"shared\"", m.ToJson());
    }

    [Theory]
    [InlineData("\"kind\": \"Heap\"", "kind 'Heap' is not a kind of shared memory")]
    [InlineData("\"mappers\": [ 99 ]", "mappers[0] must be the id of an mm")]
    [InlineData("\"cgroup\": \"/nope\"", "cgroup names a memory cgroup that is not among")]
    [InlineData("\"pages\": 999999", "fewer than the")]
    public void Refusals_NameTheMember(string replacement, string message)
    {
        string json = WithSharing().ToJson();
        string member = replacement.Substring(0, replacement.IndexOf(':'));
        // Replace that member of the first shared object (cow:100).
        int at = json.IndexOf("\"shared\"", System.StringComparison.Ordinal);
        int start = json.IndexOf(member, at, System.StringComparison.Ordinal);
        int end = member == "\"mappers\"" ? json.IndexOf(']', start) + 1 : json.IndexOfAny(new[] { ',', '\n' }, start);
        string broken = json.Substring(0, start) + replacement + json.Substring(end);

        var e = Assert.Throws<OomEngineException>(() => OomMachine.FromJson(broken));

        Assert.Equal(OomError.InvalidArgument, e.Error);
        Assert.Contains("$.shared[0]", e.Message);
        Assert.Contains(message, e.Message);
    }
}
