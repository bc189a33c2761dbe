using System;
using System.Collections.Generic;

namespace OomTools.Engine.Charts;

/// <summary>
/// A chart axis with a "nice" step (1, 2 or 5 times a power of ten): its range, rounded out to whole steps, and
/// its ticks. The unit is the axis's own (seconds, MiB); a writer maps it to pixels.
/// </summary>
public sealed class ChartAxis
{
    internal ChartAxis(double min, double max, double step)
    {
        Min = min;
        Max = max;
        Step = step;
        // i * step, not a running sum, so 0.6 is 0.6; half a step of slack keeps the last tick from rounding away.
        var ticks = new List<double>();
        for (int i = 0; min + i * step <= max + step / 2; i++) ticks.Add(min + i * step);
        Ticks = ticks;
    }

    /// <summary>The axis over <paramref name="low"/>..<paramref name="high"/> in about <paramref name="parts"/> steps, from a multiple of the step to a multiple of the step.</summary>
    internal static ChartAxis Spanning(double low, double high, int parts)
    {
        double step = NiceStep(high - low, parts);
        return new ChartAxis(Math.Floor(low / step) * step, Math.Ceiling(high / step) * step, step);
    }

    /// <summary>The axis from 0 up to <paramref name="high"/> in about <paramref name="parts"/> steps.</summary>
    internal static ChartAxis FromZero(double high, int parts)
    {
        double step = NiceStep(high, parts);
        return new ChartAxis(0, Math.Ceiling(high / step) * step, step);
    }

    /// <summary>Where the axis starts (a multiple of <see cref="Step"/>).</summary>
    public double Min { get; }
    /// <summary>Where the axis ends (a multiple of <see cref="Step"/>).</summary>
    public double Max { get; }
    /// <summary>The distance between ticks.</summary>
    public double Step { get; }
    /// <summary>The ticks from <see cref="Min"/> to <see cref="Max"/>.</summary>
    public IReadOnlyList<double> Ticks { get; }

    /// <summary>A step of 1, 2 or 5 times a power of ten that cuts <paramref name="range"/> into about <paramref name="parts"/> parts.</summary>
    internal static double NiceStep(double range, int parts)
    {
        double raw = range / parts;
        double pow = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        foreach (int m in new[] { 1, 2, 5 })
            if (m * pow >= raw) return m * pow;
        return 10 * pow;
    }
}
