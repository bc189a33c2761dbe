using System;
using System.Collections.Generic;
using System.Text;

namespace OomTools.Engine.Tests.Fuzz;

/// <summary>
/// Seeded mutations of real input, the kinds that broke parsers before: flipped characters (NULs, CRs, non-ASCII),
/// lines duplicated, deleted, cut, swapped or spliced in from another file, numbers replaced by the extremes no
/// field can hold, carriers added, and one piece repeated into a huge line. The same seed gives the same mutation.
/// </summary>
internal sealed class Mutator
{
    private static readonly string[] Extremes =
    {
        "9223372036854775807", "-9223372036854775808", "18446744073709551615", "99999999999999999999999", "2147483647",
        "2147483648", "-2147483648", "4294967295", "-1", "0", "1000000000000", "-1000", "1001",
    };

    private static readonly string[] Carriers =
    {
        "<4>", "<4>  ", "> ", "Dec 04 12:00:00 host kernel: ", "Dec 04 12:00:00 host kernel:   ", "[  123.456789] ",
        "[Mon Dec  4 12:00:00 2024] ", "kern  :warn  : ", "2024-05-17T19:54:29.123456+02:00 host kernel: ", "\t", "#012",
    };

    private static readonly char[] OddChars = { '\0', '\r', '\n', '\t', '\u00e9', '\uFFFD', '\u2028', '[', ']', '(', ')', ':', ',', '=', '-', ' ', '9', '"', '{', '}', '\\' };

    private readonly Random random;

    public Mutator(int seed) => random = new Random(seed);

    /// <summary>What was done, for the failure message.</summary>
    public List<string> Steps { get; } = new();

    public int Next(int max) => random.Next(max);

    /// <summary>One to four line mutations of <paramref name="lines"/>; <paramref name="donor"/> gives spliced lines.</summary>
    public List<string> MutateLines(IReadOnlyList<string> lines, IReadOnlyList<string> donor)
    {
        var l = new List<string>(lines);
        int n = 1 + random.Next(4);
        for (int i = 0; i < n; i++)
        {
            if (l.Count == 0) l.Add("");
            int at = random.Next(l.Count);
            switch (random.Next(10))
            {
                case 0: l[at] = FlipChars(l[at]); Steps.Add($"flip line {at + 1}"); break;
                case 1:
                    // At most about 4 MB of copies: a case stays a parse, not a throughput test.
                    int copies = Math.Min(1 + random.Next(random.Next(2) == 0 ? 3 : 200), Math.Max(1, 4_000_000 / (l[at].Length + 1)));
                    l.InsertRange(at, Repeat(l[at], copies)); Steps.Add($"duplicate line {at + 1} x{copies}"); break;
                case 2:
                    int count = Math.Min(l.Count - at, 1 + random.Next(random.Next(2) == 0 ? 2 : 60));
                    l.RemoveRange(at, count); Steps.Add($"delete lines {at + 1}+{count}"); break;
                case 3: l[at] = l[at].Substring(0, random.Next(l[at].Length + 1)); Steps.Add($"truncate line {at + 1}"); break;
                case 4: l[at] = ReplaceNumber(l[at]); Steps.Add($"number in line {at + 1}"); break;
                case 5:
                    if (donor.Count > 0) { l.Insert(at, donor[random.Next(donor.Count)]); Steps.Add($"splice at {at + 1}"); }
                    break;
                case 6:
                    int other = random.Next(l.Count);
                    (l[at], l[other]) = (l[other], l[at]); Steps.Add($"swap lines {at + 1} {other + 1}"); break;
                case 7: l[at] = Carriers[random.Next(Carriers.Length)] + l[at]; Steps.Add($"carrier on line {at + 1}"); break;
                case 8: l[at] = Huge(l[at]); Steps.Add($"huge line {at + 1} ({l[at].Length} chars)"); break;
                default:
                    for (int k = 0; k < 8; k++) l[random.Next(l.Count)] = ReplaceNumber(l[random.Next(l.Count)]);
                    Steps.Add("numbers in 8 lines"); break;
            }
        }
        return l;
    }

    /// <summary>One to four character-level mutations of a whole document (JSON).</summary>
    public string MutateText(string text, string donor)
    {
        var s = text;
        int n = 1 + random.Next(4);
        for (int i = 0; i < n; i++)
        {
            if (s.Length == 0) s = " ";
            int at = random.Next(s.Length);
            int len = Math.Min(s.Length - at, 1 + random.Next(random.Next(2) == 0 ? 8 : 400));
            switch (random.Next(8))
            {
                case 0: s = FlipChars(s); Steps.Add("flip"); break;
                case 1: s = s.Remove(at, len); Steps.Add($"delete {at}+{len}"); break;
                case 2: s = s.Insert(at, s.Substring(at, len)); Steps.Add($"duplicate {at}+{len}"); break;
                case 3: s = s.Substring(0, at); Steps.Add($"truncate at {at}"); break;
                case 4:
                    for (int k = 0; k < 1 + random.Next(6); k++) s = ReplaceNumber(s);
                    Steps.Add("numbers"); break;
                case 5:
                    int from = random.Next(Math.Max(1, donor.Length));
                    int take = Math.Min(donor.Length - from, 1 + random.Next(600));
                    if (take > 0) { s = s.Insert(at, donor.Substring(from, take)); Steps.Add($"splice {take} at {at}"); }
                    break;
                case 6: s = SwapLiteral(s); Steps.Add("literal"); break;
                default:
                    var piece = s.Substring(at, len);
                    s = s.Insert(at, string.Concat(Repeat(piece, 1 + random.Next(Math.Max(1, 50_000 / Math.Max(1, piece.Length))))));
                    Steps.Add($"repeat {len} chars at {at}"); break;
            }
        }
        return s;
    }

    private string FlipChars(string s)
    {
        if (s.Length == 0) return OddChars[random.Next(OddChars.Length)].ToString();
        var b = new StringBuilder(s);
        int flips = 1 + random.Next(4);
        for (int i = 0; i < flips; i++)
        {
            int at = random.Next(b.Length);
            b[at] = random.Next(3) == 0 ? (char)random.Next(0x20, 0x7f) : OddChars[random.Next(OddChars.Length)];
        }
        return b.ToString();
    }

    /// <summary>Replaces one digit run (chosen at random) with an extreme, or a number where none was.</summary>
    private string ReplaceNumber(string s)
    {
        var runs = new List<(int Start, int Length)>();
        for (int i = 0; i < s.Length; i++)
        {
            if (!char.IsDigit(s[i])) continue;
            int start = i;
            while (i < s.Length && char.IsDigit(s[i])) i++;
            runs.Add((start, i - start));
        }
        var extreme = Extremes[random.Next(Extremes.Length)];
        if (runs.Count == 0) return s + " " + extreme;
        var (at, length) = runs[random.Next(runs.Count)];
        // A leading minus belongs to the number it is replaced with.
        if (at > 0 && s[at - 1] == '-' && extreme[0] != '-') { at--; length++; }
        return s.Substring(0, at) + extreme + s.Substring(at + length);
    }

    private string SwapLiteral(string s)
    {
        string[] literals = { "true", "false", "null", "\"\"", "[]", "{}", "\"max\"", "-0", "1e308", "0.5" };
        var from = literals[random.Next(literals.Length)];
        int at = s.IndexOf(from, random.Next(Math.Max(1, s.Length)), StringComparison.Ordinal);
        if (at < 0) at = s.IndexOf(from, StringComparison.Ordinal);
        return at < 0 ? s : s.Substring(0, at) + literals[random.Next(literals.Length)] + s.Substring(at + from.Length);
    }

    /// <summary>A piece of the line repeated to 100 KB - 2 MB: the crafted shapes of issue 10.</summary>
    private string Huge(string line)
    {
        var piece = line.Length == 0 ? "x" : line.Substring(random.Next(line.Length));
        if (piece.Length > 40) piece = piece.Substring(0, 1 + random.Next(40));
        int target = random.Next(2) == 0 ? 100_000 : 2_000_000;
        var b = new StringBuilder(line, target + line.Length);
        while (b.Length < target) b.Append(piece);
        return b.ToString();
    }

    private static IEnumerable<string> Repeat(string s, int count)
    {
        for (int i = 0; i < count; i++) yield return s;
    }
}
