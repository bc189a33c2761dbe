using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace OomTools.Engine.Tests.Architecture;

/// <summary>The functions a C file defines, in the order of their first definition (a function defined under two #ifdefs counts once).</summary>
internal static class SeedFunctions
{
    // A definition starts a line: storage and type words, then the name and its '(' — and it is no prototype or call
    // (no ';' or '=' on the line). Control statements start with a keyword, never with a type and a name; a name in
    // capitals is a macro (static DEFINE_RATELIMIT_STATE(...) declares a variable).
    private static readonly Regex Definition = new(
        @"^(?:static\s+)?(?:inline\s+)?(?:const\s+)?(?:(?:struct|enum|union|unsigned|signed)\s+)?[A-Za-z_]\w*\s+(?:__init\s+)?\**\s*([A-Za-z_]\w*)\s*\(",
        RegexOptions.Compiled);
    private static readonly Regex Syscall = new(@"^SYSCALL_DEFINE\d\(\s*(\w+)", RegexOptions.Compiled);
    private static readonly HashSet<string> Keywords = new() { "return", "else", "if", "while", "for", "switch", "do", "case", "goto", "sizeof" };

    public static List<string> Parse(string source)
    {
        var names = new List<string>();
        var seen = new HashSet<string>();
        foreach (var raw in source.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            string? name = null;
            if (Syscall.Match(line) is { Success: true } s) name = s.Groups[1].Value;
            else if (!line.Contains(';') && !line.Contains('=') && Definition.Match(line) is { Success: true } d &&
                     !Keywords.Contains(FirstWord(line)) && d.Groups[1].Value != d.Groups[1].Value.ToUpperInvariant())
                name = d.Groups[1].Value;
            if (name is not null && seen.Add(name)) names.Add(name);
        }
        return names;
    }

    private static string FirstWord(string line)
    {
        int i = 0;
        while (i < line.Length && (char.IsLetterOrDigit(line[i]) || line[i] == '_')) i++;
        return line.Substring(0, i);
    }
}
