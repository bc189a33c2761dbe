namespace OomTools.Engine.Model;

public sealed partial class OomMachine
{
    /// <summary>The slot of <see cref="ScoreVersion"/>'s counter.</summary>
    internal const int ScoreSlot = 0;
    /// <summary>The slot of <see cref="UsageVersion"/>'s counter.</summary>
    internal const int UsageSlot = 1;

    // The machine's own counters: moved by changes made with this machine as the AmbientMachine.
    private ChangeCounter scoreCounter = ChangeCounter.Start(), usageCounter = ChangeCounter.Start();

    /// <summary>The machine's own counter in <paramref name="slot"/>, to be called in place (a mutable struct).</summary>
    internal ref ChangeCounter Counter(int slot)
    {
        if (slot == ScoreSlot) return ref scoreCounter;
        return ref usageCounter;
    }

    private ScoreJournal? scoreChanges;

    /// <summary>The changes that mark or remove a few tasks, recorded for the killer's score table (kept in step with them).</summary>
    internal ScoreJournal ScoreChanges => scoreChanges ??= new ScoreJournal(this);

    /// <summary>
    /// The killer's score table of this machine (Killer/ScoreTable, a layer above this one: held as an object), or
    /// null until the first scan makes one. A field rather than a weak table keyed by machine: a copy made for each
    /// audit added an entry under that table's lock, which audits on other threads waited for.
    /// </summary>
    internal object? ScoreTableSlot;

    /// <summary>
    /// The machine's OOM killer and exit path (Killer/OomKiller, Exit/TaskExit, layers above this one: held as
    /// objects), made on first use. Both are stateless views of this machine; one of each is kept because a kill
    /// order reaches them hundreds of times per audit, and making them anew each time was a tenth of its allocation.
    /// </summary>
    internal object? KillerSlot, ExitSlot;

    // A copy starts with counters, a journal and a table of its own (MemberwiseClone copied this machine's).
    private void ResetVersionsOf(OomMachine copy)
    {
        copy.scoreCounter = ChangeCounter.Start();
        copy.usageCounter = ChangeCounter.Start();
        copy.scoreChanges = null;
        copy.ScoreTableSlot = null;
        copy.KillerSlot = null;
        copy.ExitSlot = null;
        copy.keptInUseStamp = default;
        copy.undo = null;
    }
}
