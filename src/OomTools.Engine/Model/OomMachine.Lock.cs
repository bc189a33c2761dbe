namespace OomTools.Engine.Model;

public sealed partial class OomMachine
{
    private readonly object syncRoot = new();

    /// <summary>
    /// The machine's lock, in the role of the kernel's <c>oom_lock</c> (the mutex out_of_memory runs under, so one
    /// OOM decides at a time and a second sees the first one's victim in flight) and of <c>tasklist_lock</c> (the
    /// task list, cgroups and counters do not change under a reader walking them). The engine itself is
    /// single-threaded: whoever shares one machine between threads (the cmdlets do, for every runspace) holds this
    /// monitor around each call that changes or walks the machine, and takes copies of what it hands on. A
    /// <see cref="Clone"/> has its own lock.
    /// </summary>
    public object SyncRoot => syncRoot;
}
