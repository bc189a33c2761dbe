using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;
using OomTools.Engine.Model;

namespace OomTools.Completers;

/// <summary>Completes -Cgroup with the memory cgroup paths of the machine given as -Machine.</summary>
public sealed class CgroupPathCompleter : IArgumentCompleter
{
    /// <summary>
    /// The memory cgroup paths of the -Machine already bound that begin with the word typed (quotes stripped, case
    /// ignored); none before -Machine is bound.
    /// </summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (MachineCompletion.From(fakeBoundParameters) is not { } machine) yield break;
        var pattern = new WildcardPattern((wordToComplete ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        foreach (var cg in machine.Cgroups)
            if (pattern.IsMatch(cg.Path)) yield return new CompletionResult(cg.Path);
    }
}

/// <summary>Completes -Pid with the pids of the machine given as -Machine, showing their names.</summary>
public sealed class PidCompleter : IArgumentCompleter
{
    /// <summary>
    /// The pids of the -Machine already bound that begin with the digits typed, each listed with its comm; none before
    /// -Machine is bound.
    /// </summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (MachineCompletion.From(fakeBoundParameters) is not { } machine) yield break;
        foreach (var t in machine.Tasks)
        {
            var pid = t.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (pid.StartsWith(wordToComplete ?? "", System.StringComparison.Ordinal))
                yield return new CompletionResult(pid, $"{pid} {t.Comm}", CompletionResultType.ParameterValue, t.ToString());
        }
    }
}

internal static class MachineCompletion
{
    public static OomMachine? From(IDictionary fakeBoundParameters)
    {
        if (fakeBoundParameters is null || !fakeBoundParameters.Contains("Machine")) return null;
        var value = fakeBoundParameters["Machine"];
        return (value is PSObject pso ? pso.BaseObject : value) as OomMachine;
    }
}
