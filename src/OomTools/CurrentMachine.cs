using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using OomTools.Engine.Model;

namespace OomTools;

/// <summary>
/// The session's current machine: the default of every -Machine. New-OomMachine, Get-OomSnapshot and
/// Import-OomMachine make the machine they write current, Set-OomCurrentMachine picks one, Get-OomCurrentMachine
/// shows it. It lives in the global variable $OomCurrentMachine, as PowerCLI's server lives in $DefaultVIServer:
/// each runspace has its own global scope, so a ForEach-Object -Parallel or Start-ThreadJob runspace starts with no
/// current machine (and a runspace the pool hands out again is reset to none) instead of silently sharing one.
/// </summary>
internal static class CurrentMachine
{
    /// <summary>The name of the global variable that holds the current machine.</summary>
    public const string VariableName = "OomCurrentMachine";
    private const string Global = "global:" + VariableName;

    /// <summary>The current machine of the session <paramref name="state"/> belongs to; null when there is none.</summary>
    public static OomMachine? Get(SessionState state) => Unwrap(state.PSVariable.GetValue(Global));

    /// <summary>Makes <paramref name="machine"/> the current machine of the session <paramref name="state"/> belongs to.</summary>
    public static void Set(SessionState state, OomMachine machine)
    {
        if (state.PSVariable.Get(Global) is { } variable)
        {
            variable.Value = machine;
            return;
        }
        state.PSVariable.Set(Global, machine);
        variable = state.PSVariable.Get(Global);
        variable.Description = "The current OomTools machine: the default of -Machine (Get-OomCurrentMachine, Set-OomCurrentMachine).";
        variable.Attributes.Add(new MachineOnlyAttribute());
    }

    /// <summary>
    /// The current machine of the runspace running on this thread, for an argument completer (which is given no
    /// session state): read by a nested command, as the runspace is busy running the completion. Null when there is
    /// none or it cannot be read.
    /// </summary>
    public static OomMachine? OfThisRunspace()
    {
        if (Runspace.DefaultRunspace is null) return null;
        try
        {
            using var ps = PowerShell.Create(RunspaceMode.CurrentRunspace);
            ps.AddCommand("Microsoft.PowerShell.Utility\\Get-Variable").AddParameter("Name", VariableName)
                .AddParameter("Scope", "Global").AddParameter("ValueOnly").AddParameter("ErrorAction", ActionPreference.Ignore);
            Collection<PSObject> result = ps.Invoke();
            return result.Count == 1 ? Unwrap(result[0]) : null;
        }
        catch (System.Exception ex) when (ex is PSInvalidOperationException or RuntimeException or System.InvalidOperationException)
        {
            return null;
        }
    }

    private static OomMachine? Unwrap(object? value) => (value is PSObject pso ? pso.BaseObject : value) as OomMachine;

    /// <summary>Keeps $OomCurrentMachine a machine or $null: an assignment of anything else is refused at once.</summary>
    private sealed class MachineOnlyAttribute : ValidateArgumentsAttribute
    {
        protected override void Validate(object arguments, EngineIntrinsics engineIntrinsics)
        {
            if (arguments is null || Unwrap(arguments) is not null) return;
            throw new ValidationMetadataException(
                $"${VariableName} holds the current machine: give it an OomMachine (New-OomMachine, Get-OomSnapshot, Import-OomMachine) or $null, not a {(arguments is PSObject p ? p.BaseObject : arguments).GetType().Name}.");
        }
    }
}
