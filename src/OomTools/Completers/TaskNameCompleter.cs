using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace OomTools.Completers;

/// <summary>
/// Completes -Name with the process names (comm) of the machine given as -Machine (else the current machine), each
/// name once, in task-list order. A name the parser would split (a space, a quote) is offered in single quotes.
/// </summary>
public sealed class TaskNameCompleter : IArgumentCompleter
{
    /// <summary>
    /// Each comm of the -Machine already bound (else of the current machine) that begins with the word typed, once,
    /// quoted when the parser would split it.
    /// </summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        if (MachineCompletion.From(fakeBoundParameters) is not { } machine) yield break;
        var pattern = MachineCompletion.Prefix(wordToComplete);
        var seen = new HashSet<string>();
        foreach (var t in MachineCompletion.Tasks(machine))
        {
            if (!pattern.IsMatch(t.Comm) || !seen.Add(t.Comm)) continue;
            yield return new CompletionResult(Quote(t.Comm), t.Comm, CompletionResultType.ParameterValue, t.Comm);
        }
    }

    // comm is whatever the process set (prctl PR_SET_NAME): "Web Content", "(sd-pam)" and "-bash" (a login
    // shell; unquoted it would read as a parameter name) all exist.
    private static string Quote(string comm)
    {
        bool plain = comm.Length > 0 && (char.IsLetterOrDigit(comm[0]) || comm[0] is '_' or '/' or '.');
        foreach (var c in comm)
            plain &= char.IsLetterOrDigit(c) || c is '_' or '-' or '.' or '/' or ':' or '+' or '@';
        return plain ? comm : "'" + comm.Replace("'", "''") + "'";
    }
}
