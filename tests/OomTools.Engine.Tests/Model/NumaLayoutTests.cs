using System.Linq;
using OomTools.Engine.Model;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Model;

/// <summary>NumaLayout: how a machine's RAM is divided over its NUMA nodes, and the machine built from it.</summary>
public class NumaLayoutTests
{
    [Fact]
    public void SingleNode_PutsAllRamOnNodeZero()
    {
        var layout = NumaLayout.SingleNode(new Pages(4096));
        var m = new OomMachine(layout, Pages.Zero);

        Assert.Null(layout.NodePresentPages);
        Assert.Equal(new Pages(4096), m.TotalRamPages);
        Assert.Equal(new[] { (0, 4096L) }, m.Nodes.Select(n => (n.Id, n.PresentPages.Value)));
    }

    [Fact]
    public void Even_SplitsRamEvenly()
    {
        var layout = NumaLayout.Even(new Pages(4_194_304), 2);

        Assert.Equal(new[] { 2_097_152L, 2_097_152L }, layout.NodePresentPages!.Select(p => p.Value));
        Assert.Equal(new Pages(4_194_304), layout.RamPages);
    }

    [Fact]
    public void Even_GivesTheRemainderToTheLastNode()
    {
        var layout = NumaLayout.Even(new Pages(4_194_304), 3);

        Assert.Equal(new[] { 1_398_101L, 1_398_101L, 1_398_102L }, layout.NodePresentPages!.Select(p => p.Value));
    }

    [Fact]
    public void Even_OneNodeIsSingleNode()
    {
        Assert.Null(NumaLayout.Even(new Pages(100), 1).NodePresentPages);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(65)]
    public void Even_RefusesANodeCountOutsideOneToMaxNodes(int count)
    {
        var e = Assert.Throws<OomEngineException>(() => NumaLayout.Even(new Pages(100), count));

        Assert.Equal(OomError.InvalidArgument, e.Error);
        Assert.Equal(count, e.Target);
    }

    [Fact]
    public void FromNodeBytes_SizesEachNodeInPagesAndMakesRamTheirSum()
    {
        var layout = NumaLayout.FromNodeBytes(new[] { 1L << 30, 3L << 30 }, 4096);
        var m = new OomMachine(layout, Pages.Zero, 4096);

        Assert.Equal(new[] { 262_144L, 786_432L }, m.Nodes.Select(n => n.PresentPages.Value));
        Assert.Equal(new Pages(1_048_576), m.TotalRamPages);
    }

    [Fact]
    public void FromNodeBytes_RoundsEachNodeUpButTheRamOnlyOnce()
    {
        // Two nodes of 6000 bytes: 2 pages each, and 12000 bytes of RAM, which is 3 pages.
        var layout = NumaLayout.FromNodeBytes(new[] { 6000L, 6000L }, 4096);

        Assert.Equal(new[] { 2L, 2L }, layout.NodePresentPages!.Select(p => p.Value));
        Assert.Equal(new Pages(3), layout.RamPages);
    }

    [Fact]
    public void FromNodeBytes_TakesTheRamWhenGiven()
    {
        var layout = NumaLayout.FromNodeBytes(new[] { 1L << 30, 1L << 30 }, 4096, ramBytes: 4L << 30);

        Assert.Equal(new Pages(1_048_576), layout.RamPages);
        Assert.Equal(new[] { 262_144L, 262_144L }, layout.NodePresentPages!.Select(p => p.Value));
    }

    [Fact]
    public void FromNodeBytes_RefusesANegativeNodeWithNegativeSizeNamingTheValue()
    {
        var e = Assert.Throws<OomEngineException>(() => NumaLayout.FromNodeBytes(new[] { 1L << 30, -1L }, 4096));

        Assert.Equal(OomError.NegativeSize, e.Error);
        Assert.Equal("The NUMA node memory cannot be negative (-1 bytes).", e.Message);
        Assert.Equal(-1L, e.Target);
    }
}
