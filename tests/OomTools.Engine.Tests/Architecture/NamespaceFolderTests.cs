using System.IO;
using System.Linq;
using System.Text.RegularExpressions;
using Xunit;

namespace OomTools.Engine.Tests.Architecture;

/// <summary>Every source file declares the namespace of its folder: the project's root namespace plus the folder path.</summary>
public class NamespaceFolderTests
{
    private static readonly Regex NamespaceDeclaration = new(@"^\s*namespace\s+([\w.]+)\s*[;{]", RegexOptions.Multiline);

    [Theory]
    [InlineData("src/OomTools.Engine", "OomTools.Engine")]
    [InlineData("src/OomTools", "OomTools")]
    public void EveryFileDeclaresTheNamespaceOfItsFolder(string project, string rootNamespace)
    {
        string dir = RepoPaths.Of(project);
        var wrong = Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(dir, f).Replace(Path.DirectorySeparatorChar, '/'))
            .Where(rel => !rel.StartsWith("bin/") && !rel.StartsWith("obj/"))
            .Select(rel =>
            {
                string folder = Path.GetDirectoryName(rel)!.Replace(Path.DirectorySeparatorChar, '/');
                string expected = folder.Length == 0 ? rootNamespace : rootNamespace + "." + folder.Replace('/', '.');
                var declared = NamespaceDeclaration.Matches(File.ReadAllText(Path.Combine(dir, rel))).Select(m => m.Groups[1].Value).ToList();
                return (rel, expected, declared);
            })
            .Where(x => x.declared.Count == 0 || x.declared.Any(d => d != x.expected))
            .Select(x => $"{project}/{x.rel}: declares {(x.declared.Count == 0 ? "no namespace" : string.Join(", ", x.declared))}, its folder is {x.expected}")
            .ToList();
        Assert.True(wrong.Count == 0, string.Join(System.Environment.NewLine, wrong));
    }
}
