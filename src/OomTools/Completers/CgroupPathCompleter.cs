using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace OomTools.Completers;

/// <summary>Completes -Cgroup with the memory cgroup paths of the machine given as -Machine, or of the current machine.</summary>
public sealed class CgroupPathCompleter : IArgumentCompleter
{
    /// <summary>
    /// The memory cgroup paths of the -Machine already bound (else of the current machine) that begin with the word
    /// typed (quotes stripped, case ignored); none when there is no machine.
    /// </summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (MachineCompletion.From(fakeBoundParameters) is not { } machine) yield break;
        var pattern = MachineCompletion.Prefix(wordToComplete);
        foreach (var cg in MachineCompletion.Cgroups(machine))
            if (pattern.IsMatch(cg.Path)) yield return new CompletionResult(cg.Path);
    }
}
