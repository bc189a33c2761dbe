using OomTools.Engine.Model;
using Xunit;

namespace OomTools.Engine.Tests.Model;

/// <summary>
/// CgroupPath.Canonical: one spelling per cgroup, as cgroupfs resolves it, so two spellings never make two
/// cgroups (issue 10, case 1); a '..' is refused naming the path.
/// </summary>
public class CgroupPathTests
{
    [Theory]
    [InlineData("/", "/")]
    [InlineData("", "/")]
    [InlineData(null, "/")]
    [InlineData("//", "/")]
    [InlineData("/.", "/")]
    [InlineData("x", "/x")]
    [InlineData("//x", "/x")]
    [InlineData("/x/", "/x")]
    [InlineData("/x//", "/x")]
    [InlineData("/x/./y", "/x/y")]
    [InlineData("./x//y/.", "/x/y")]
    [InlineData(" /x/y ", "/x/y")]
    public void Canonical(string? given, string canonical) => Assert.Equal(canonical, CgroupPath.Canonical(given));

    [Theory]
    [InlineData("/x/../y")]
    [InlineData("..")]
    [InlineData("/x/..")]
    public void DotDot_IsRefused_NamingThePath(string path)
    {
        var ex = Assert.Throws<OomEngineException>(() => CgroupPath.Canonical(path));
        Assert.Equal(OomError.InvalidArgument, ex.Error);
        Assert.Contains(path, ex.Message);
    }

    [Theory]
    [InlineData("//x")]
    [InlineData("/x/")]
    [InlineData("x")]
    [InlineData("/./x")]
    public void CreateCgroup_AnotherSpellingOfAnExistingCgroup_IsCgroupExists(string spelling)
    {
        var m = TestMachines.Machine();
        var x = m.CreateCgroup("/x");

        var ex = Assert.Throws<OomEngineException>(() => m.CreateCgroup(spelling));

        Assert.Equal(OomError.CgroupExists, ex.Error);
        Assert.Equal(new[] { "/", "/x" }, System.Linq.Enumerable.ToArray(System.Linq.Enumerable.Select(m.Cgroups, c => c.Path)));
        Assert.Same(x, m.FindCgroup(spelling));
    }

    [Fact]
    public void Lookups_AndTasks_TakeEverySpelling()
    {
        var m = TestMachines.Machine();
        var y = m.CreateCgroup("//x/");
        y = m.CreateCgroup("/x/./y");
        Assert.Equal("/x/y", y.Path);
        var t = m.Add(100, anon: 10, cgroup: "x//y/");
        Assert.Same(y, t.Memcg);
        Assert.Same(y, m.GetCgroup("/./x/y"));
        Assert.Same(m.RootMemcg, m.GetCgroup("//"));
        Assert.Throws<OomEngineException>(() => m.GetCgroup("/x/y/../y"));
    }
}
