using System;

namespace OomTools.Engine.Units;

/// <summary>
/// A process's <c>signal-&gt;oom_score_adj</c>: a short in <c>OOM_SCORE_ADJ_MIN..OOM_SCORE_ADJ_MAX</c>
/// (-1000..1000). Range-checked where it is made, so the engine never holds an out-of-range value.
/// </summary>
public readonly struct OomScoreAdj : IEquatable<OomScoreAdj>, IComparable<OomScoreAdj>, IComparable
{
    /// <summary><c>OOM_SCORE_ADJ_MIN</c>: the task is never chosen.</summary>
    public const short MinValue = -1000;
    /// <summary><c>OOM_SCORE_ADJ_MAX</c>.</summary>
    public const short MaxValue = 1000;

    public static OomScoreAdj Min => new(MinValue);
    public static OomScoreAdj Max => new(MaxValue);
    public static OomScoreAdj Zero => default;

    public short Value { get; }

    private OomScoreAdj(short value) => Value = value;

    /// <summary>Validates <paramref name="value"/> as the kernel's oom_score_adj_write does (-EINVAL outside the range).</summary>
    public static OomScoreAdj From(int value)
    {
        if (value < MinValue || value > MaxValue)
            throw new ArgumentOutOfRangeException(nameof(value), value, $"oom_score_adj must be between {MinValue} and {MaxValue}; {value} is not.");
        return new OomScoreAdj((short)value);
    }

    public bool IsMin => Value == MinValue;

    public static implicit operator int(OomScoreAdj adj) => adj.Value;
    public static bool operator ==(OomScoreAdj a, OomScoreAdj b) => a.Value == b.Value;
    public static bool operator !=(OomScoreAdj a, OomScoreAdj b) => a.Value != b.Value;
    public bool Equals(OomScoreAdj other) => Value == other.Value;
    public override bool Equals(object? obj) => obj is OomScoreAdj a && Equals(a);
    public override int GetHashCode() => Value;
    public int CompareTo(OomScoreAdj other) => Value.CompareTo(other.Value);
    public int CompareTo(object? obj) => obj is OomScoreAdj a ? CompareTo(a) : throw new ArgumentException("Not an oom_score_adj.", nameof(obj));
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
