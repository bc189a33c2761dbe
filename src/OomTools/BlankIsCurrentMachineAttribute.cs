using System.Management.Automation;

namespace OomTools;

/// <summary>
/// A blank Machine cell of a piped row (Import-Csv of a table with a Machine column) means "not given", as a blank
/// cell does for every other parameter (<see cref="PipedRow"/>): the current machine, instead of the null that
/// PowerShell makes of an empty string and [ValidateNotNull] would refuse. A cell with text is still refused (text
/// never names a machine), and so is $null given on the command line.
/// </summary>
internal sealed class BlankIsCurrentMachineAttribute : ArgumentTransformationAttribute
{
    /// <summary>The current machine for a blank string; anything else unchanged.</summary>
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        var value = inputData is PSObject pso ? pso.BaseObject : inputData;
        if (value is not string text || !string.IsNullOrWhiteSpace(text)) return inputData;
        return CurrentMachine.Get(engineIntrinsics.SessionState)
            ?? throw new ArgumentTransformationMetadataException(
                "The Machine cell is blank and there is no current machine: give -Machine, or create one with New-OomMachine, Get-OomSnapshot or Import-OomMachine.");
    }
}
