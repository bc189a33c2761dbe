using OomTools.Engine.Writers;
using Xunit;

namespace OomTools.Engine.Tests.Writers;

/// <summary>Markup.Escape: the one escaping of the HTML and SVG writers.</summary>
public class MarkupTests
{
    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("nginx", "nginx")]
    [InlineData("a<b>&'\"c", "a&lt;b&gt;&amp;&#39;&quot;c")]
    [InlineData("tab\tand\nline", "tab\tand\nline")]
    [InlineData("bell\u0007cr\r", "bell\uFFFDcr\uFFFD")]
    [InlineData("kworker/0:1 \u00e9\u4e2d", "kworker/0:1 \u00e9\u4e2d")]
    public void Escape(string? text, string expected) => Assert.Equal(expected, Markup.Escape(text));
}
