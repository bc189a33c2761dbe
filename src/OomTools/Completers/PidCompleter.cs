using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace OomTools.Completers;

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
        foreach (var t in MachineCompletion.Tasks(machine))
        {
            var pid = t.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (pid.StartsWith(wordToComplete ?? "", System.StringComparison.Ordinal))
                yield return new CompletionResult(pid, $"{pid} {t.Comm}", CompletionResultType.ParameterValue, t.ToString());
        }
    }
}
