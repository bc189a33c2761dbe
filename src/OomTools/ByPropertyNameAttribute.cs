using System;

namespace OomTools;

/// <summary>
/// The parameter takes the property of its name (or of one of its aliases) of a piped object, bound by
/// <see cref="PipedRowBinder"/> with PowerShell's by-property-name rules instead of by PowerShell's binder
/// (ValueFromPipelineByPropertyName), whose cost is per flagged parameter and per object: a cmdlet with 30 such
/// parameters binds objects 10 times slower than an empty ForEach-Object. The help shows such a parameter as accepting
/// pipeline input ByPropertyName (module/help/ConvertTo-MamlHelp.ps1), and <see cref="PipedRow"/> checks its cells.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ByPropertyNameAttribute : Attribute
{
}
