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

    /// <summary><see cref="MinValue"/> (-1000): the task is never chosen.</summary>
    public static OomScoreAdj Min => new(MinValue);
    /// <summary><see cref="MaxValue"/> (1000): <c>oom_badness</c> adds all of totalpages to the task's points.</summary>
    public static OomScoreAdj Max => new(MaxValue);
    /// <summary>0, the default (a forked process inherits its parent's value).</summary>
    public static OomScoreAdj Zero => default;

    /// <summary>The value as <c>/proc/PID/oom_score_adj</c> shows it, -1000..1000.</summary>
    public short Value { get; }

    private OomScoreAdj(short value) => Value = value;

    /// <summary>Validates <paramref name="value"/> as the kernel's oom_score_adj_write does (-EINVAL outside the range).</summary>
    public static OomScoreAdj From(int value)
    {
        if (value < MinValue || value > MaxValue)
            throw new ArgumentOutOfRangeException(nameof(value), value, $"oom_score_adj must be between {MinValue} and {MaxValue}; {value} is not.");
        return new OomScoreAdj((short)value);
    }

    /// <summary>
    /// The value is <c>OOM_SCORE_ADJ_MIN</c>: <c>oom_badness</c> returns <c>LONG_MIN</c> and the task is never
    /// chosen.
    /// </summary>
    public bool IsMin => Value == MinValue;

    /// <summary>The value as an <see cref="int"/>.</summary>
    public static implicit operator int(OomScoreAdj adj) => adj.Value;
    /// <summary>True when both values are equal.</summary>
    public static bool operator ==(OomScoreAdj a, OomScoreAdj b) => a.Value == b.Value;
    /// <summary>True when the values differ.</summary>
    public static bool operator !=(OomScoreAdj a, OomScoreAdj b) => a.Value != b.Value;
    /// <inheritdoc/>
    public bool Equals(OomScoreAdj other) => Value == other.Value;
    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is OomScoreAdj a && Equals(a);
    /// <inheritdoc/>
    public override int GetHashCode() => Value;
    /// <inheritdoc/>
    public int CompareTo(OomScoreAdj other) => Value.CompareTo(other.Value);
    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="obj"/> is not an <see cref="OomScoreAdj"/>.</exception>
    public int CompareTo(object? obj) => obj is OomScoreAdj a ? CompareTo(a) : throw new ArgumentException("Not an oom_score_adj.", nameof(obj));
    /// <summary>The value in invariant culture (<c>-1000</c>), as <c>/proc/PID/oom_score_adj</c> shows it.</summary>
    public override string ToString() => Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
