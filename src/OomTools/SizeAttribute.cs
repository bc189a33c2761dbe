using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using OomTools.Engine.Units;

namespace OomTools;

/// <summary>
/// Binds a <see cref="MemorySize"/> parameter from bytes (an integer, PowerShell's <c>512MB</c>, a whole or
/// fractional double such as <c>1.5GB</c>) or text with a unit (<c>'512M'</c>), element by element for an array.
/// Anything else is handed on unchanged to PowerShell's own conversion, which fails on it: text that is not a size
/// with <see cref="MemorySize.Parse"/>'s message naming it; a piped row's cell is then left unbound, for
/// <see cref="PipedRow"/> to refuse the row (InvalidPropertyValue); another object's property of another type (an
/// OomTask's page counts) is not taken for bytes. <see cref="Kind"/> tells <see cref="Sizes.WarnImplausible"/> which
/// bare numbers to warn about.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
public sealed class SizeAttribute : ArgumentTransformationAttribute
{
    /// <summary>A size parameter measuring <paramref name="kind"/>.</summary>
    public SizeAttribute(SizeKind kind) => Kind = kind;

    /// <summary>What the parameter measures.</summary>
    public SizeKind Kind { get; }

    /// <summary>Turns a number or text into a <see cref="MemorySize"/> (or an array of them); other input is left as it is.</summary>
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        var value = inputData is PSObject p ? p.BaseObject : inputData;
        if (value is IList list)
        {
            var sizes = new MemorySize[list.Count];
            for (int i = 0; i < list.Count; i++)
            {
                if (One(list[i]) is not { } size) return inputData;
                sizes[i] = size;
            }
            return sizes;
        }
        return One(value) is { } one ? one : inputData;
    }

    private static MemorySize? One(object? item)
    {
        var value = item is PSObject p ? p.BaseObject : item;
        switch (value)
        {
            case MemorySize m: return m;
            case string s when SizeParser.TryParse(s, out var size, out var unit): return new MemorySize(size.Value, unit, s.Trim());
            case double or float or decimal:
                try
                {
                    var d = decimal.Ceiling(Convert.ToDecimal(value, System.Globalization.CultureInfo.InvariantCulture));
                    if (d <= long.MaxValue && d >= long.MinValue) return new MemorySize((long)d);
                }
                catch (OverflowException) { }
                return null;
            case sbyte or byte or short or ushort or int or uint or long:
                return new MemorySize(Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture));
            case ulong u when u <= long.MaxValue:
                return new MemorySize((long)u);
            default:
                return null;
        }
    }
}
