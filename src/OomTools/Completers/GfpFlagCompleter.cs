using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace OomTools.Completers;

/// <summary>Completes -GfpMask with the masks OOM reports show most.</summary>
public sealed class GfpFlagCompleter : IArgumentCompleter
{
    private static readonly string[] Common =
    {
        "GFP_KERNEL", "GFP_HIGHUSER_MOVABLE", "GFP_HIGHUSER_MOVABLE|__GFP_COMP", "GFP_KERNEL_ACCOUNT", "GFP_USER",
        "GFP_NOFS", "GFP_NOIO", "GFP_ATOMIC", "GFP_TRANSHUGE", "GFP_KERNEL|__GFP_THISNODE",
    };

    /// <summary>
    /// The common gfp masks that begin with the word typed (case ignored), each quoted so the | does not split it.
    /// </summary>
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        var pattern = new WildcardPattern((wordToComplete ?? "").Trim('\'', '"') + "*", WildcardOptions.IgnoreCase);
        foreach (var name in Common)
            if (pattern.IsMatch(name)) yield return new CompletionResult("'" + name + "'", name, CompletionResultType.ParameterValue, name);
    }
}
