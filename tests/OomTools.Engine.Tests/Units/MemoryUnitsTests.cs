using System;
using System.Linq;
using OomTools.Engine.Model;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Units;

/// <summary>
/// Pages, Bytes and Kibibytes: each conversion between them, how it rounds at 4 KiB and 64 KiB pages, where it
/// overflows, how the values compare and print. Expected numbers are worked out by hand.
/// </summary>
public class MemoryUnitsTests
{
    private const int Page4K = 4096, Page64K = 65536;

    // ---- kB <-> pages ----

    [Theory]
    [InlineData(Page4K, 0, 0)]
    [InlineData(Page4K, 3, 0)]          // less than a page is no page
    [InlineData(Page4K, 4, 1)]
    [InlineData(Page4K, 7, 1)]
    [InlineData(Page4K, 524284, 131071)]  // "Total swap = 524284kB"
    [InlineData(Page64K, 63, 0)]
    [InlineData(Page64K, 64, 1)]
    [InlineData(Page64K, 127, 1)]
    [InlineData(Page64K, 128, 2)]
    [InlineData(Page64K, 163840, 2560)]
    public void KibibytesToPages_TruncatesToWholePages(int pageSize, long kb, long pages)
    {
        Assert.Equal(new Pages(pages), new Kibibytes(kb).ToPages(pageSize));
    }

    [Theory]
    [InlineData(Page4K, 1, 4)]
    [InlineData(Page4K, 131071, 524284)]
    [InlineData(Page64K, 1, 64)]
    [InlineData(Page64K, 2560, 163840)]
    public void PagesToKibibytes_IsExact(int pageSize, long pages, long kb)
    {
        Assert.Equal(new Kibibytes(kb), new Pages(pages).ToKibibytes(pageSize));
    }

    [Theory]
    [InlineData(Page4K, 7, 4)]
    [InlineData(Page64K, 127, 64)]
    [InlineData(Page64K, 63, 0)]
    public void KibibytesThroughPagesAndBack_LosesThePartPage(int pageSize, long kb, long back)
    {
        Assert.Equal(new Kibibytes(back), new Kibibytes(kb).ToPages(pageSize).ToKibibytes(pageSize));
    }

    // ---- bytes <-> pages ----

    [Theory]
    [InlineData(Page4K, 4095, 0, 1)]
    [InlineData(Page4K, 4096, 1, 1)]
    [InlineData(Page4K, 4097, 1, 2)]
    [InlineData(Page64K, 65535, 0, 1)]
    [InlineData(Page64K, 65536, 1, 1)]
    [InlineData(Page64K, 536870913, 8192, 8193)]
    public void BytesToPages_TruncatesAndToPagesRoundedUp_RoundsUp(int pageSize, long bytes, long truncated, long roundedUp)
    {
        Assert.Equal(new Pages(truncated), new Bytes(bytes).ToPages(pageSize));
        Assert.Equal(new Pages(roundedUp), new Bytes(bytes).ToPagesRoundedUp(pageSize));
        Assert.Equal(new Pages(roundedUp), Pages.FromBytes(bytes, pageSize));
    }

    [Fact]
    public void BytesToPages_OfLongMax_IsPageCounterMax()
    {
        // cgroupfs "max" reads as LONG_MAX bytes; in pages that is PAGE_COUNTER_MAX (LONG_MAX / PAGE_SIZE).
        Assert.Equal(new Pages(2251799813685247), new Bytes(long.MaxValue).ToPages(Page4K));
        Assert.Equal(new Pages(140737488355327), new Bytes(long.MaxValue).ToPages(Page64K));
    }

    [Fact]
    public void NegativeBytes_CannotBeRoundedUpToPages()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Bytes(-1).ToPagesRoundedUp(Page4K));
    }

    [Theory]
    [InlineData(Page4K, 14, 57344)]
    [InlineData(Page64K, 3, 196608)]
    public void PagesToBytes_IsExact(int pageSize, long pages, long bytes)
    {
        Assert.Equal(new Bytes(bytes), new Pages(pages).ToBytes(pageSize));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1000)]
    [InlineData(6144)]
    public void EveryPageConversion_RejectsAPageSizeThatIsNotAPowerOfTwoOfAtLeast1024(int pageSize)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Bytes(1).ToPages(pageSize));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Bytes(1).ToPagesRoundedUp(pageSize));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Kibibytes(1).ToPages(pageSize));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Pages(1).ToBytes(pageSize));
    }

    // ---- bytes <-> kB ----

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1023, 0)]
    [InlineData(1024, 1)]
    [InlineData(98304, 96)]        // "pgtables:96kB" for pgtables_bytes 98304
    [InlineData(4395008, 4292)]    // 4292.0 kB exactly
    [InlineData(4395009, 4292)]
    public void BytesToKibibytes_TruncatesLikeTheKernelsShiftBy10(long bytes, long kb)
    {
        Assert.Equal(new Kibibytes(kb), new Bytes(bytes).ToKibibytes());
    }

    [Fact]
    public void KibibytesToBytes_Multiplies()
    {
        Assert.Equal(new Bytes(413696), new Kibibytes(404).ToBytes());   // VmPTE: 404 kB
    }

    // ---- overflow ----

    [Fact]
    public void ConversionsThatMultiply_ThrowInsteadOfWrapping()
    {
        Assert.Throws<OverflowException>(() => new Kibibytes(long.MaxValue / 1024 + 1).ToBytes());
        Assert.Throws<OverflowException>(() => new Pages(long.MaxValue / Page4K + 1).ToBytes(Page4K));
        Assert.Throws<OverflowException>(() => new Pages(long.MaxValue / 64 + 1).ToKibibytes(Page64K));

        // The largest values that fit still convert.
        Assert.Equal(new Bytes(long.MaxValue / 1024 * 1024), new Kibibytes(long.MaxValue / 1024).ToBytes());
        Assert.Equal(new Kibibytes(long.MaxValue / 64 * 64), new Pages(long.MaxValue / 64).ToKibibytes(Page64K));
    }

    [Fact]
    public void Arithmetic_ThrowsInsteadOfWrapping()
    {
        Assert.Throws<OverflowException>(() => new Pages(long.MaxValue) + new Pages(1));
        Assert.Throws<OverflowException>(() => new Pages(long.MinValue) - new Pages(1));
        Assert.Throws<OverflowException>(() => new Bytes(long.MaxValue) + new Bytes(1));
        Assert.Throws<OverflowException>(() => new Kibibytes(long.MinValue) - new Kibibytes(1));

        Assert.Equal(new Bytes(3), new Bytes(1) + new Bytes(2));
        Assert.Equal(new Kibibytes(-1), new Kibibytes(1) - new Kibibytes(2));
    }

    // ---- equality, order, text ----

    [Fact]
    public void EqualSizes_AreEqualAndHashAlike()
    {
        Assert.True(new Bytes(4096) == new Bytes(4096));
        Assert.True(new Kibibytes(4) != new Kibibytes(5));
        Assert.Equal(new Bytes(4096).GetHashCode(), new Bytes(4096).GetHashCode());
        Assert.Equal(Bytes.Zero, default(Bytes));
        Assert.Equal(Kibibytes.Zero, new Kibibytes(0));
    }

    [Fact]
    public void ASize_IsNeverEqualToAPlainNumberOrAnotherUnit()
    {
        // No implicit mixing: 4 kB is not the number 4, and not 4 pages or 4 bytes.
        Assert.False(new Kibibytes(4).Equals(4L));
        Assert.False(new Kibibytes(4).Equals(new Pages(4)));
        Assert.False(new Bytes(4).Equals(new Kibibytes(4)));
        Assert.Throws<ArgumentException>(() => new Bytes(4).CompareTo(new Pages(4)));
        Assert.Throws<ArgumentException>(() => new Kibibytes(4).CompareTo(4L));
    }

    [Fact]
    public void Sizes_OrderByValue()
    {
        Assert.True(new Bytes(1) < new Bytes(2) && new Bytes(2) > new Bytes(1) && new Bytes(2) <= new Bytes(2) && new Bytes(2) >= new Bytes(1));
        Assert.True(new Kibibytes(1) < new Kibibytes(2) && new Kibibytes(2) >= new Kibibytes(2));
        Assert.Equal(new long[] { 1, 5, 9 }, new[] { new Kibibytes(9), new Kibibytes(1), new Kibibytes(5) }.OrderBy(k => k).Select(k => k.Value));
        Assert.Equal(new long[] { 1, 5, 9 }, new object[] { new Bytes(9), new Bytes(1), new Bytes(5) }.Cast<IComparable>().OrderBy(b => b).Select(b => ((Bytes)b).Value));
        Assert.Equal(new Pages(3), Pages.Min(new Pages(3), new Pages(7)));
        Assert.Equal(new Pages(3), Pages.Min(new Pages(7), new Pages(3)));
    }

    [Fact]
    public void Sizes_PrintAsTheKernelPrintsThem()
    {
        Assert.Equal("4395008", new Bytes(4395008).ToString());   // pgtables_bytes: a bare number
        Assert.Equal("96kB", new Kibibytes(96).ToString());        // %lukB
        Assert.Equal("-1", new Bytes(-1).ToString());
        Assert.Equal("0kB", Kibibytes.Zero.ToString());
    }

    [Fact]
    public void ExplicitCasts_MakeASizeFromARawCount()
    {
        Assert.Equal(new Bytes(7), (Bytes)7L);
        Assert.Equal(new Kibibytes(7), (Kibibytes)7L);
    }

    // ---- VMAs ----

    [Fact]
    public void Vma_TypedAndRawCountsAreTheSameValue()
    {
        var typed = new Vma(VmaKind.Anonymous, new Pages(1000), new Pages(50));
        var raw = new Vma(VmaKind.Anonymous, 1000, swapPages: 50);

        Assert.Equal((new Pages(1000), new Pages(50), 1000L, 50L), (typed.Resident, typed.Swap, typed.ResidentPages, typed.SwapPages));
        Assert.Equal((typed.Resident, typed.Swap), (raw.Resident, raw.Swap));
        Assert.Equal("Anonymous 1000 pages + 50 swapped", typed.ToString());
        Assert.Equal("PrivateFile 100 pages", new Vma(VmaKind.PrivateFile, new Pages(100)).ToString());
    }
}
