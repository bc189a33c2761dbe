using OomTools.Engine.Model;

namespace OomTools.Engine.Killer;

/// <summary>
/// Reaches a machine's OOM killer as <c>machine.Killer</c> (C#). PowerShell sees the same property through the
/// module's type data, which calls the <see cref="OomKiller(OomMachine)"/> constructor.
/// </summary>
public static class KillerExtensions
{
    extension(OomMachine machine)
    {
        /// <summary>mm/oom_kill.c over this machine.</summary>
        public OomKiller Killer => machine.KillerSlot as OomKiller ?? (OomKiller)(machine.KillerSlot = new OomKiller(machine));
    }
}
