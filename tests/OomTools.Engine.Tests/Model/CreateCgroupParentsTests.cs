using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Model;

/// <summary>CreateCgroup's createParents (issue 11, mkdir -p): the missing parents made unlimited, none for a refused call.</summary>
public class CreateCgroupParentsTests
{
    [Fact]
    public void CreateCgroup_WithCreateParents_MakesTheMissingOnes_Unlimited()
    {
        var m = TestMachines.Machine();
        var cg = m.CreateCgroup("/system.slice/db.service", memoryMax: new Pages(1000), createParents: true);

        var parent = m.GetCgroup("/system.slice");
        Assert.Same(parent, cg.Parent);
        Assert.Equal(m.RootMemcg.MemoryMax, parent.MemoryMax);
        Assert.Equal(1000, cg.MemoryMax.Value);
    }

    [Fact]
    public void CreateCgroup_WithCreateParents_RefusedMakesNoParent()
    {
        var m = TestMachines.Machine();
        var e = Assert.Throws<OomEngineException>(() => m.CreateCgroup("/a/b", swappiness: 300, createParents: true));

        Assert.Equal(OomError.InvalidArgument, e.Error);
        Assert.Null(m.FindCgroup("/a"));
    }

    [Fact]
    public void CreateCgroup_WithoutCreateParents_StillNeedsTheParent()
    {
        var m = TestMachines.Machine();
        var e = Assert.Throws<OomEngineException>(() => m.CreateCgroup("/a/b"));

        Assert.Equal(OomError.CgroupNotFound, e.Error);
    }
}
