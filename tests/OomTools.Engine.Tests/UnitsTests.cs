using System;
using OomTools.Engine.Kernels;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>Pages, Kibibytes, OomScoreAdj, NodeMask (%*pbl) and GfpMask (%#x / %pGg).</summary>
public class UnitsTests
{
    /// <summary>The %pGg name table the given release prints with, from the kernel-era table.</summary>
    private static GfpNameTable NamesOf(int major, int minor) => KernelRules.For(new Version(major, minor)).Era.GfpNames;

    // ---- Pages / Kibibytes ----

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 1)]
    [InlineData(4095, 1)]
    [InlineData(4096, 1)]
    [InlineData(4097, 2)]
    [InlineData(8192, 2)]
    public void Pages_FromBytesRoundsUp(long bytes, long pages)
    {
        Assert.Equal(pages, Pages.FromBytes(bytes, 4096).Value);
    }

    [Fact]
    public void Pages_FromNegativeBytesThrows()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Pages.FromBytes(-1, 4096));
    }

    [Theory]
    [InlineData(4096, 9215, 36860)]
    [InlineData(16384, 10, 160)]
    [InlineData(65536, 3, 192)]
    public void Pages_ToKibibytesIsTheKernelsKMacro(int pageSize, long pages, long kb)
    {
        Assert.Equal(kb, new Pages(pages).ToKibibytes(pageSize).Value);
        Assert.Equal(pages * pageSize, new Pages(pages).ToBytes(pageSize).Value);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(512)]
    [InlineData(3000)]
    [InlineData(4095)]
    public void Pages_RejectsPageSizesThatAreNotPowersOfTwoOfAtLeast1024(int pageSize)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Pages(1).ToKibibytes(pageSize));
    }

    [Fact]
    public void Pages_ArithmeticAndComparison()
    {
        var a = new Pages(5);
        var b = new Pages(7);

        Assert.Equal(12, (a + b).Value);
        Assert.Equal(-2, (a - b).Value);
        var a2 = new Pages(5);
        Assert.True(a < b && b > a && a <= a2 && b >= a && a != b);
        Assert.Equal(new Pages(5), a);
        Assert.Equal("5", a.ToString());
    }

    [Theory]
    [InlineData(7, 4096, 1)]
    [InlineData(8, 4096, 2)]
    [InlineData(3, 4096, 0)]
    [InlineData(163840, 4096, 40960)]
    public void Kibibytes_ToPagesTruncates(long kb, int pageSize, long pages)
    {
        Assert.Equal(pages, new Kibibytes(kb).ToPages(pageSize).Value);
    }

    [Fact]
    public void Kibibytes_PrintsWithKbSuffix()
    {
        Assert.Equal("163840kB", new Kibibytes(163840).ToString());
    }

    // ---- OomScoreAdj ----

    [Theory]
    [InlineData(-1000)]
    [InlineData(-999)]
    [InlineData(0)]
    [InlineData(999)]
    [InlineData(1000)]
    public void OomScoreAdj_AcceptsTheKernelRange(int value)
    {
        Assert.Equal(value, (int)OomScoreAdj.From(value));
    }

    [Theory]
    [InlineData(-1001)]
    [InlineData(1001)]
    [InlineData(int.MinValue)]
    [InlineData(32767)]
    public void OomScoreAdj_RejectsValuesOutsideTheRange(int value)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => OomScoreAdj.From(value));
    }

    [Fact]
    public void OomScoreAdj_ConstantsAndMin()
    {
        Assert.Equal(-1000, OomScoreAdj.MinValue);
        Assert.Equal(1000, OomScoreAdj.MaxValue);
        Assert.True(OomScoreAdj.Min.IsMin);
        Assert.False(OomScoreAdj.From(-999).IsMin);
        Assert.Equal(0, (int)OomScoreAdj.Zero);
        Assert.True(OomScoreAdj.From(-5).CompareTo(OomScoreAdj.From(5)) < 0);
        Assert.Equal("-250", OomScoreAdj.From(-250).ToString());
    }

    // ---- NodeMask: %*pbl ----

    [Theory]
    [InlineData("", 0UL)]
    [InlineData("0", 0x1UL)]
    [InlineData("1", 0x2UL)]
    [InlineData("0-1", 0x3UL)]
    [InlineData("0-1,3", 0xbUL)]
    [InlineData("0,2,4-6", 0x75UL)]
    [InlineData("63", 0x8000000000000000UL)]
    [InlineData("0-63", ulong.MaxValue)]
    public void NodeMask_ParseAndPrintRoundTrip(string text, ulong bits)
    {
        var mask = NodeMask.Parse(text);

        Assert.Equal(bits, mask.Bits);
        Assert.Equal(text, mask.ToString());
    }

    [Theory]
    [InlineData("1,0", "0-1")]
    [InlineData(" 3 , 1-2 ", "1-3")]
    [InlineData("2-2", "2")]
    [InlineData("0,1,2,5,6,8", "0-2,5-6,8")]
    public void NodeMask_PrintsCanonicalRanges(string text, string printed)
    {
        Assert.Equal(printed, NodeMask.Parse(text).ToString());
    }

    [Theory]
    [InlineData("3-1")]
    [InlineData("64")]
    [InlineData("a")]
    [InlineData("-1")]
    [InlineData("1-")]
    public void NodeMask_RejectsMalformedLists(string text)
    {
        Assert.Throws<FormatException>(() => NodeMask.Parse(text));
    }

    [Fact]
    public void NodeMask_SetOperations()
    {
        var a = NodeMask.Of(0, 1);
        var b = NodeMask.Of(1, 2);

        Assert.True(a.Intersects(b));
        Assert.False(NodeMask.Of(0).Intersects(NodeMask.Of(1)));
        Assert.True(NodeMask.Of(1).IsSubsetOf(a));
        Assert.False(b.IsSubsetOf(a));
        Assert.True(NodeMask.Empty.IsSubsetOf(a));
        Assert.Equal(NodeMask.Of(1), a.Intersect(b));
        Assert.Equal(NodeMask.Of(0, 1, 2), NodeMask.FirstNodes(3));
        Assert.Equal(ulong.MaxValue, NodeMask.FirstNodes(64).Bits);
        Assert.Equal(new[] { 0, 1 }, a.Nodes);
        Assert.Throws<ArgumentOutOfRangeException>(() => NodeMask.Of(64));
    }

    // ---- GfpMask ----

    [Theory]
    [InlineData(0x0u, "0x0")]
    [InlineData(0xcc0u, "0xcc0")]
    [InlineData(0x140ccau, "0x140cca")]
    [InlineData(0x1100ccau, "0x1100cca")]
    public void GfpMask_ToHexIsHashX(uint value, string hex)
    {
        Assert.Equal(hex, new GfpMask(value).ToHex());
    }

    // kernel-notes §4.3 worked examples
    [Theory]
    [InlineData(0x0u, "")]
    [InlineData(0xcc0u, "GFP_KERNEL")]
    [InlineData(0x100ccau, "GFP_HIGHUSER_MOVABLE")]
    [InlineData(0x140ccau, "GFP_HIGHUSER_MOVABLE|__GFP_COMP")]
    [InlineData(0x140dcau, "GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO")]
    [InlineData(0x100dcau, "GFP_HIGHUSER_MOVABLE|__GFP_ZERO")]
    [InlineData(0x400dc0u, "GFP_KERNEL_ACCOUNT|__GFP_ZERO")]
    [InlineData(0x42dc0u, "GFP_KERNEL|__GFP_NOWARN|__GFP_COMP|__GFP_ZERO")]
    [InlineData(0x2dc2u, "GFP_KERNEL|__GFP_HIGHMEM|__GFP_NOWARN|__GFP_ZERO")]
    [InlineData(0x8c40u, "GFP_NOFS|__GFP_NOFAIL")]
    [InlineData(0x2800u, "GFP_NOWAIT")]
    [InlineData(0x1100ccau, "GFP_HIGHUSER_MOVABLE|0x1000000")]
    // more, same algorithm
    [InlineData(0xc2cc0u, "GFP_KERNEL|__GFP_NOWARN|__GFP_COMP|__GFP_NOMEMALLOC")]
    [InlineData(0x6200cau, "__GFP_HIGHMEM|__GFP_IO|__GFP_FS|__GFP_MEMALLOC|__GFP_THISNODE|__GFP_MOVABLE|__GFP_ACCOUNT")]
    [InlineData(0x820u, "GFP_ATOMIC")]
    [InlineData(0xd00u, "GFP_NOIO|__GFP_ZERO")]
    [InlineData(0x101ccau, "GFP_HIGHUSER_MOVABLE|__GFP_WRITE")]
    [InlineData(0x1c24cau, "GFP_TRANSHUGE")]
    [InlineData(0x1c20cau, "GFP_TRANSHUGE_LIGHT")]
    [InlineData(0x200u, "0x200")]
    public void GfpMask_FlagNames612(uint value, string names)
    {
        Assert.Equal(names, new GfpMask(value).FlagNames(NamesOf(6, 12)));
    }

    [Theory]
    [InlineData(0x0u, "")]
    [InlineData(0xcc0u, "GFP_KERNEL")]
    [InlineData(0x100ccau, "GFP_HIGHUSER_MOVABLE")]
    [InlineData(0x140ccau, "GFP_HIGHUSER_MOVABLE|__GFP_COMP")]
    [InlineData(0x140dcau, "GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP")]
    [InlineData(0x100dcau, "GFP_HIGHUSER_MOVABLE|__GFP_ZERO")]
    [InlineData(0x400dc0u, "GFP_KERNEL_ACCOUNT|__GFP_ZERO")]
    [InlineData(0x42dc0u, "GFP_KERNEL|__GFP_ZERO|__GFP_NOWARN|__GFP_COMP")]
    [InlineData(0x2dc2u, "GFP_KERNEL|__GFP_HIGHMEM|__GFP_ZERO|__GFP_NOWARN")]
    [InlineData(0x8c40u, "GFP_NOFS|__GFP_NOFAIL")]
    [InlineData(0x2800u, "GFP_NOWAIT")]
    [InlineData(0x1100ccau, "GFP_HIGHUSER_MOVABLE|__GFP_NO_OBJ_EXT")]
    // more, same algorithm
    [InlineData(0xc2cc0u, "GFP_KERNEL|__GFP_NOWARN|__GFP_COMP|__GFP_NOMEMALLOC")]
    [InlineData(0x6200cau, "__GFP_HIGHMEM|__GFP_MOVABLE|__GFP_IO|__GFP_FS|__GFP_MEMALLOC|__GFP_THISNODE|__GFP_ACCOUNT")]
    [InlineData(0x4u, "GFP_DMA32")]
    [InlineData(0xc00u, "GFP_NOIO")]
    public void GfpMask_FlagNames615(uint value, string names)
    {
        Assert.Equal(names, new GfpMask(value).FlagNames(NamesOf(6, 15)));
        Assert.Equal(names, new GfpMask(value).FlagNames(NamesOf(6, 18)));
    }

    [Theory]
    [InlineData(0x2800u, "GFP_NOWAIT|__GFP_NOWARN")]
    [InlineData(0x800u, "GFP_NOWAIT")]
    [InlineData(0x1100ccau, "GFP_HIGHUSER_MOVABLE|0x1000000")]
    public void GfpMask_FlagNames611GfpNowaitHasNoNowarn(uint value, string names)
    {
        Assert.Equal(names, new GfpMask(value).FlagNames(NamesOf(6, 11)));
    }

    [Theory]
    [InlineData(0xa20u, "GFP_ATOMIC")]
    [InlineData(0x820u, "GFP_NOWAIT|__GFP_HIGH")]
    [InlineData(0x200u, "__GFP_ATOMIC")]
    public void GfpMask_FlagNamesBefore64HadGfpAtomicWithAtomicBit(uint value, string names)
    {
        Assert.Equal(names, new GfpMask(value).FlagNames(NamesOf(6, 1)));
    }

    [Fact]
    public void GfpMask_ToStringIsHexThenNames()
    {
        Assert.Equal("0x0()", new GfpMask(0).ToString());
        Assert.Equal("0xcc0(GFP_KERNEL)", GfpMask.Kernel.ToString());
        Assert.Equal("0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP)", new GfpMask(0x140cca).ToString());
        Assert.Equal("0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_ZERO|__GFP_COMP)", new GfpMask(0x140dca).ToString(NamesOf(6, 15)));
        Assert.Equal("0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO)", new GfpMask(0x140dca).ToString());
    }

    [Theory]
    [InlineData("0xcc0", 0xcc0u)]
    [InlineData("0XCC0", 0xcc0u)]
    [InlineData("3264", 0xcc0u)]
    [InlineData("GFP_KERNEL", 0xcc0u)]
    [InlineData("gfp_kernel", 0xcc0u)]
    [InlineData(" GFP_HIGHUSER_MOVABLE | __GFP_COMP ", 0x140ccau)]
    [InlineData("GFP_HIGHUSER_MOVABLE|0x1000000", 0x1100ccau)]
    [InlineData("GFP_KERNEL|__GFP_ZERO|__GFP_NOWARN|__GFP_COMP", 0x42dc0u)]
    [InlineData("__GFP_NO_OBJ_EXT", 0x1000000u)]
    [InlineData("__GFP_ATOMIC", 0x200u)]
    [InlineData("GFP_DMA32", 0x4u)]
    [InlineData("GFP_NOFS|__GFP_NOFAIL", 0x8c40u)]
    [InlineData("0x0", 0u)]
    public void GfpMask_ParseAcceptsNumbersAndNames(string text, uint value)
    {
        Assert.Equal(value, GfpMask.Parse(text).Value);
    }

    [Theory]
    [InlineData("GFP_BOGUS")]
    [InlineData("GFP_KERNEL|")]
    [InlineData("0xzz")]
    [InlineData("-1")]
    public void GfpMask_ParseRejectsUnknownNames(string text)
    {
        Assert.Throws<FormatException>(() => GfpMask.Parse(text));
    }

    [Fact]
    public void GfpMask_HasNeedsEveryBit()
    {
        var m = new GfpMask(GfpMask.GFP_KERNEL);

        Assert.True(m.Has(GfpMask.__GFP_FS));
        Assert.True(m.Has(GfpMask.__GFP_RECLAIM));
        Assert.False(m.Has(GfpMask.__GFP_FS | GfpMask.__GFP_HARDWALL));
        Assert.False(new GfpMask(0xc40).Has(GfpMask.__GFP_FS));
        Assert.Equal(0x100ccau, GfpMask.GFP_HIGHUSER_MOVABLE);
        Assert.Equal(0xcc0u, GfpMask.GFP_KERNEL);
    }
}
