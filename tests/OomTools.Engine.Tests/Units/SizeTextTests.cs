using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Units;

/// <summary>
/// SizeText, the sizes the views and pictures show: the unit chosen, the digits kept, negative sizes (an adj term),
/// limits that are not set, and page counts at 4 KiB and 64 KiB pages. Expected text worked out by hand.
/// </summary>
public class SizeTextTests
{
    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1024, "1 KiB")]
    [InlineData(1536, "1.5 KiB")]
    [InlineData(1887437, "1.8 MiB")]            // 1.8 MiB: 1887436.8 bytes
    [InlineData(12 * 1024 * 1024, "12 MiB")]
    [InlineData(123456789, "118 MiB")]          // 117.74 MiB: no decimals from 100 on
    [InlineData(52428800 + 524288, "50.5 MiB")] // one decimal from 10 to 100
    [InlineData(17179869184, "16 GiB")]
    [InlineData(1073741823, "1 GiB")]           // 1023.99... MiB would print as 1024 MiB: one unit up
    [InlineData(-4246200L * 4096, "-16.2 GiB")] // a negative adj term
    public void Format_PicksTheUnitAndKeepsThreeDigits(long bytes, string expected) =>
        Assert.Equal(expected, SizeText.Format(new Bytes(bytes)));

    [Theory]
    [InlineData(4096, 460, "1.8 MiB")]            // a 1.8 MiB sleep: 460 pages of 4 KiB
    [InlineData(4096, 786432, "3 GiB")]
    [InlineData(65536, 2560, "160 MiB")]
    public void Format_Pages_UsesThePageSize(int pageSize, long pages, string expected) =>
        Assert.Equal(expected, SizeText.Format(new Pages(pages), pageSize));

    [Fact]
    public void Format_Pages_DoesNotOverflowNearLongMax() =>
        Assert.Equal("8 EiB", SizeText.Format(new Pages(long.MaxValue / 4096), 4096));

    [Fact]
    public void Format_Kibibytes_IsTheKernelsKb() =>
        Assert.Equal("2 GiB", SizeText.Format(new Kibibytes(2097152)));

    [Theory]
    [InlineData(4096)]
    [InlineData(65536)]
    public void FormatLimit_AtThePageCountersCeiling_IsMax(int pageSize)
    {
        var machine = new OomMachine(new Pages(1024), Pages.Zero, pageSize);
        Assert.Equal("max", SizeText.FormatLimit(machine.PageCounterMax, pageSize));
        Assert.Equal("2 GiB", SizeText.FormatLimit(new Pages(2L * 1024 * 1024 * 1024 / pageSize), pageSize));
    }

    [Fact]
    public void MemoryCgroup_KnowsItsMachinesPageSize_InACopyToo()
    {
        var machine = new OomMachine(new Pages(1024), Pages.Zero, 65536);
        var batch = machine.CreateCgroup("/batch");
        Assert.Equal(65536, machine.RootMemcg.PageSize);
        Assert.Equal(65536, batch.PageSize);
        Assert.Equal(65536, machine.Clone().RootMemcg.PageSize);
    }
}
