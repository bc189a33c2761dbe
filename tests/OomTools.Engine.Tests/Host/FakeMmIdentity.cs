using System.Collections.Generic;
using OomTools.Engine.Host;

namespace OomTools.Engine.Tests.Host;

/// <summary>
/// kcmp(KCMP_VM) over a table: each task id maps to an mm number; ids not in the table fail as kcmp does for a task
/// that is gone (ESRCH). Counts the calls.
/// </summary>
internal sealed class FakeMmIdentity : IMmIdentity
{
    private readonly Dictionary<int, int> mmOf = new();

    public int Calls { get; private set; }

    /// <summary>Tasks <paramref name="ids"/> use mm number <paramref name="mm"/>.</summary>
    public FakeMmIdentity Mm(int mm, params int[] ids)
    {
        foreach (var id in ids) mmOf[id] = mm;
        return this;
    }

    public int? Compare(int pid1, int pid2, out string? error)
    {
        Calls++;
        error = null;
        if (!mmOf.TryGetValue(pid1, out var a) || !mmOf.TryGetValue(pid2, out var b))
        {
            error = "kcmp(2): the process has exited";
            return null;
        }
        return a.CompareTo(b);
    }
}
