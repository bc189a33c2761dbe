using System;
using System.Collections.Generic;
using System.Management.Automation;
using OomTools.Engine.Model;

namespace OomTools;

/// <summary>
/// A call with several values changes all of them or none: every value is checked first, every refusal is
/// written, and only a call with no refusal goes on to change the machine (Set-OomTask, Remove-OomTask,
/// Set-OomScoreAdj).
/// </summary>
internal static class AllOrNothing
{
    /// <summary>Runs a check; a refusal (see <see cref="OomCmdlet"/>) goes to <paramref name="refused"/>, a fault propagates.</summary>
    public static void Check(Action check, Action<Exception> refused)
    {
        try { check(); }
        catch (Exception ex) when (OomCmdlet.IsRefusal(ex))
        {
            refused(ex);
        }
    }

    /// <summary>Writes every refusal as a non-terminating error; true when there was one, so nothing may change.</summary>
    public static bool Refuse(Cmdlet cmdlet, List<ErrorRecord> refused)
    {
        foreach (var record in refused) cmdlet.WriteError(record);
        return refused.Count > 0;
    }

    /// <summary>The tasks given, each once (the same object given twice is one process).</summary>
    public static List<OomTask> Distinct(IEnumerable<OomTask> tasks)
    {
        // OomTask keeps reference equality: a set of them is a set of processes.
        var seen = new HashSet<OomTask>();
        var list = new List<OomTask>();
        foreach (var t in tasks) if (seen.Add(t)) list.Add(t);
        return list;
    }

}
