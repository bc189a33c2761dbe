using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace OomTools.Completers;

/// <summary>Completes -Pid with the pids of the machine given as -Machine (else the current machine), showing their names.</summary>
public sealed class PidCompleter : IArgumentCompleter
{
    /// <summary>
    /// The pids of the -Machine already bound (else of the current machine) that begin with the digits typed, each
    /// listed with its comm (the tooltip adds its memory cgroup); none when there is no machine.
    /// </summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (MachineCompletion.From(fakeBoundParameters) is not { } machine) yield break;
        foreach (var t in MachineCompletion.Tasks(machine))
        {
            var pid = t.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (pid.StartsWith(wordToComplete ?? "", System.StringComparison.Ordinal))
                yield return new CompletionResult(pid, $"{pid} {t.Comm}", CompletionResultType.ParameterValue, $"{t} in {t.Memcg?.Path ?? "/"}");
        }
    }
}
