using OomTools.Engine.Model;

namespace OomTools.Engine.Exit;

/// <summary>Reaches a machine's exit path as <c>machine.Exit</c> (C#).</summary>
public static class ExitExtensions
{
    extension(OomMachine machine)
    {
        /// <summary>kernel/exit.c over this machine.</summary>
        public TaskExit Exit => new(machine);

        /// <summary>The process exits now: <see cref="TaskExit.DoExit"/>.</summary>
        public void RemoveTask(OomTask task) => new TaskExit(machine).DoExit(task);
    }
}
