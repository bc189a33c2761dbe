using System.Management.Automation;

namespace OomTools;

/// <summary>
/// The base of the cmdlets that take rows (Import-Csv, ConvertFrom-Csv, objects) by property name: the row itself is
/// bound too, so a cell that does not convert to the parameter it names is an error naming the row and the property
/// (<see cref="PipedRow"/>), never the parameter's default.
/// </summary>
public abstract class OomRowCmdlet : OomCmdlet
{
    private long row;

    /// <summary>
    /// The piped row itself (hidden): its cells bind to the parameters by name; a cell that does not convert is an
    /// error naming the row and the property (InvalidPropertyValue), never a default.
    /// </summary>
    [Parameter(ValueFromPipeline = true, DontShow = true)]
    [ValidateNotNull]
    public PSObject? InputObject { get; set; }

    /// <summary>Writes an error per cell of this record's row that cannot bind; true when the record must be left out.</summary>
    protected bool RefuseUnboundRow() => PipedRow.Refuse(this, InputObject, ++row);
}
