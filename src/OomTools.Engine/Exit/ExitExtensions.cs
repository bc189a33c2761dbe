using OomTools.Engine.Model;

namespace OomTools.Engine.Exit;

/// <summary>Reaches a machine's exit path as <c>machine.Exit</c> (C#).</summary>
public static class ExitExtensions
{
    extension(OomMachine machine)
    {
        /// <summary>kernel/exit.c over this machine.</summary>
        public TaskExit Exit => machine.ExitSlot as TaskExit ?? (TaskExit)(machine.ExitSlot = new TaskExit(machine));

        /// <summary>The process exits now: <see cref="TaskExit.DoExit"/>.</summary>
        public void RemoveTask(OomTask task) => machine.Exit.DoExit(task);
    }
}
