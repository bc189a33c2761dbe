using System;
using System.Globalization;
using System.Text;

namespace OomTools.Engine.Log;

/// <summary>
/// A <see cref="KernelLogFormat"/> given as the line's text with named slots (<see cref="KernelLogFormat.Of"/>):
/// turned once into a composite format over all ten slots, which reading fills in (boxing there, never when the
/// line is written).
/// </summary>
internal sealed class KernelLogTemplate : KernelLogFormat
{
    private const int Strings = 2, Numbers = 8;
    private readonly string composite;

    internal KernelLogTemplate(string template) => composite = ToComposite(template);

    internal override string Format(in KernelLogArgs a) =>
        string.Format(CultureInfo.InvariantCulture, composite,
            a.S0, a.S1, a.N0, a.N1, a.N2, a.N3, a.N4, a.N5, a.N6, a.N7);

    // "{s1}" -> "{1}", "{n0,7}" -> "{2,7}": strings first, then numbers, as Format passes them.
    private static string ToComposite(string template)
    {
        var sb = new StringBuilder(template.Length);
        for (int i = 0; i < template.Length; i++)
        {
            char c = template[i];
            if (c != '{' || (i + 1 < template.Length && template[i + 1] == '{'))
            {
                // Text, a closing brace or an escaped "{{": the composite format reads them the same way.
                sb.Append(c);
                if (c == '{') sb.Append(template[++i]);
                continue;
            }
            if (i + 3 >= template.Length || template[i + 3] is not ('}' or ',' or ':')) throw Bad(template);
            char kind = template[i + 1];
            int slot = template[i + 2] - '0';
            int index = kind switch
            {
                's' when slot is >= 0 and < Strings => slot,
                'n' when slot is >= 0 and < Numbers => Strings + slot,
                _ => throw Bad(template),
            };
            sb.Append('{').Append(index.ToString(CultureInfo.InvariantCulture));
            i += 2;
        }
        return sb.ToString();
    }

    private static ArgumentException Bad(string template) =>
        new($"Not a log template (slots are {{s0}}, {{s1}} and {{n0}} to {{n7}}): {template}", nameof(template));
}
