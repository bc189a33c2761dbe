namespace OomTools.Engine.Model;

/// <summary>
/// The pid index: each process by its pid, in pages (<see cref="PidPages{T}"/>): 8 bytes a pid where pids are
/// dense instead of a Dictionary entry's 24 bytes plus bucket and spare capacity (about 39 bytes a task at
/// 1,000,000 tasks).
/// </summary>
internal sealed class PidTable : PidPages<OomTask>
{
}
