using System.Collections;
using System.Management.Automation;
using OomTools.Engine.Model;

namespace OomTools.Completers;

/// <summary>
/// What every completer needs: the machine the command will run on (the one given as -Machine, else the session's
/// current machine), and the word typed as a prefix pattern.
/// </summary>
internal static class MachineCompletion
{
    /// <summary>
    /// The machine already bound to -Machine on the command line; without one, the current machine of the runspace
    /// completing (the one the command would default to); null when there is neither.
    /// </summary>
    public static OomMachine? From(IDictionary fakeBoundParameters)
    {
        if (fakeBoundParameters is not null && fakeBoundParameters.Contains("Machine"))
        {
            var value = fakeBoundParameters["Machine"];
            return (value is PSObject pso ? pso.BaseObject : value) as OomMachine;
        }
        return CurrentMachine.OfThisRunspace();
    }

    /// <summary>The machine's tasks, copied under its lock: another runspace may be changing it while a word completes.</summary>
    public static System.Collections.Generic.List<OomTask> Tasks(OomMachine machine)
    {
        lock (machine.SyncRoot) return new System.Collections.Generic.List<OomTask>(machine.Tasks);
    }

    /// <summary>The machine's memory cgroups, copied under its lock.</summary>
    public static System.Collections.Generic.List<MemoryCgroup> Cgroups(OomMachine machine)
    {
        lock (machine.SyncRoot) return new System.Collections.Generic.List<MemoryCgroup>(machine.Cgroups);
    }

    /// <summary>Matches what begins with the word typed, its quotes stripped, case ignored.</summary>
    public static WildcardPattern Prefix(string? wordToComplete) =>
        new((wordToComplete ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
}
