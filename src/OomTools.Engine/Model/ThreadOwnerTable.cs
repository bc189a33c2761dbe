namespace OomTools.Engine.Model;

/// <summary>
/// Each other thread's id to the pid of its process, in pages (<see cref="PidPages{T}"/>; 0 is "none": no process
/// has pid 0). Thread ids sit among the pids they were allocated with, so the pages are dense: 4 bytes a number
/// instead of a Dictionary entry's 16 bytes plus bucket and spare capacity (bench/: bytes per task).
/// </summary>
internal sealed class ThreadOwnerTable : PidPages<int>
{
    /// <summary>A copy that changes independently of this table.</summary>
    internal ThreadOwnerTable Clone()
    {
        var copy = new ThreadOwnerTable();
        copy.CopyFrom(this);
        return copy;
    }
}
