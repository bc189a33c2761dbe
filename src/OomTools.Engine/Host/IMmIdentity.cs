namespace OomTools.Engine.Host;

/// <summary>
/// Tells whether two processes of the host use one <c>mm_struct</c> (CLONE_VM sharers, a vfork child and its parent),
/// which nothing in <c>/proc</c>'s text says: the live host answers with <c>kcmp(2)</c> (<see cref="KcmpMmIdentity"/>);
/// a fake stands in for it in tests.
/// </summary>
public interface IMmIdentity
{
    /// <summary>
    /// Compares the mms of <paramref name="pid1"/> and <paramref name="pid2"/> (thread ids are taken too): 0 when they are
    /// one mm, a negative or positive number ordering two different mms (a total order, so that equal ones can be found
    /// by sorting), null when it cannot be told (no permission, a process gone, no such call on this host).
    /// </summary>
    /// <param name="pid1">The first process or thread id.</param>
    /// <param name="pid2">The second process or thread id.</param>
    /// <param name="error">Why it cannot be told, when the result is null; otherwise null.</param>
    int? Compare(int pid1, int pid2, out string? error);
}
