using System;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Units;

/// <summary>
/// SizeParser, the sizes a person types: bare bytes, binary units in every spelling the kernel's memparse, free(1)
/// and PowerShell use, fractions rounded up to a byte, and text that is not a size. Expected bytes worked out by hand.
/// </summary>
public class SizeParserTests
{
    [Theory]
    [InlineData("4096", 4096, false)]
    [InlineData(" 6 ", 6, false)]
    [InlineData("6B", 6, true)]
    [InlineData("4k", 4096, true)]
    [InlineData("4K", 4096, true)]
    [InlineData("4KB", 4096, true)]
    [InlineData("4KiB", 4096, true)]
    [InlineData("512M", 536870912, true)]
    [InlineData("512MB", 536870912, true)]           // binary, as PowerShell's 512MB
    [InlineData("512MiB", 536870912, true)]
    [InlineData("512mi", 536870912, true)]          // free -h prints "512Mi"
    [InlineData("6GiB", 6442450944, true)]
    [InlineData("1.5G", 1610612736, true)]
    [InlineData("1.8 MiB", 1887437, true)]          // SizeText's own "1.8 MiB": 1887436.8 bytes, rounded up
    [InlineData("2T", 2199023255552, true)]
    [InlineData("7E", 8070450532247928832, true)]
    [InlineData("-1M", -1048576, true)]             // kept, for the cmdlet to refuse as a negative size
    [InlineData("0", 0, false)]
    public void TryParse_ReadsBytesAndBinaryUnits(string text, long bytes, bool hasUnit)
    {
        Assert.True(SizeParser.TryParse(text, out var size, out var unit), text);
        Assert.Equal(bytes, size.Value);
        Assert.Equal(hasUnit, unit);
    }

    [Theory]
    [InlineData("lots")]
    [InlineData("")]
    [InlineData("M")]
    [InlineData("12 parsecs")]
    [InlineData("1e9")]
    [InlineData("8E")]       // 2^63 bytes: past a long
    [InlineData("1.2.3M")]
    [InlineData(null)]
    public void TryParse_RefusesWhatIsNotASize(string? text) =>
        Assert.False(SizeParser.TryParse(text, out _, out _));

    [Fact]
    public void Parse_NamesTheTextAndTheFormsASizeTakes()
    {
        var e = Assert.Throws<FormatException>(() => SizeParser.Parse("lots"));
        Assert.Contains("'lots' is not a size", e.Message);
        Assert.Contains("512M", e.Message);
    }
}
