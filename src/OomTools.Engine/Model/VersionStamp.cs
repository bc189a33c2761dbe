using System;

namespace OomTools.Engine.Model;

/// <summary>
/// What a derived copy of one machine (its score table, its kept memory in use) is stamped with: the process-wide
/// counter, moved by changes made with no <see cref="AmbientMachine"/>, and the machine's own, moved by changes
/// made with it as the ambient machine. The copy is trusted while both read as stamped. The default (0, 0) is
/// "never stamped" (both counters start at 1).
/// </summary>
internal readonly struct VersionStamp : IEquatable<VersionStamp>
{
    /// <summary>The process-wide counter's value.</summary>
    internal readonly long Global;
    /// <summary>The machine's counter's value.</summary>
    internal readonly long Machine;

    /// <summary>A stamp of the two counters' values.</summary>
    internal VersionStamp(long global, long machine)
    {
        Global = global;
        Machine = machine;
    }

    /// <summary>Never stamped.</summary>
    internal bool IsNone => Global == 0;

    /// <summary>Both counters read the same.</summary>
    public bool Equals(VersionStamp other) => Global == other.Global && Machine == other.Machine;

    /// <summary>Both counters read the same.</summary>
    public override bool Equals(object? obj) => obj is VersionStamp s && Equals(s);

    /// <summary>A hash of both counters.</summary>
    public override int GetHashCode() => unchecked((int)(Global * 31 + Machine));

    /// <summary>Both counters read the same.</summary>
    public static bool operator ==(VersionStamp a, VersionStamp b) => a.Equals(b);

    /// <summary>Not both counters read the same.</summary>
    public static bool operator !=(VersionStamp a, VersionStamp b) => !a.Equals(b);
}
