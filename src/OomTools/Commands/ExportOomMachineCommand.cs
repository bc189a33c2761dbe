using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using OomTools.Engine.Model;
using OomTools.Engine.Serialization;

namespace OomTools.Commands;

/// <summary>
/// Export-OomMachine: a machine as an <c>oomtools.machine/v1</c> JSON document — to a file (-Path or
/// -LiteralPath, under ShouldProcess), or as a string when no path is given. Import-OomMachine reads it back.
/// </summary>
[Cmdlet(VerbsData.Export, "OomMachine", DefaultParameterSetName = TextSet, SupportsShouldProcess = true)]
[OutputType(typeof(string), ParameterSetName = new[] { TextSet })]
[OutputType(typeof(FileInfo), ParameterSetName = new[] { PathSet, LiteralPathSet })]
public sealed class ExportOomMachineCommand : OomCmdlet
{
    private const string TextSet = "Text", PathSet = "Path", LiteralPathSet = "LiteralPath";
    private readonly HashSet<string> written = new(StringComparer.Ordinal);

    [Parameter(Mandatory = true, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>The file to write; wildcards must match exactly one existing file.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = null!;

    /// <summary>The file to write, taken as written.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = null!;

    /// <summary>Replace a read-only file.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter Force { get; set; }

    /// <summary>Never replace an existing file.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    [Alias("NoOverwrite")]
    public SwitchParameter NoClobber { get; set; }

    /// <summary>Write the file's FileInfo to the pipeline.</summary>
    [Parameter(ParameterSetName = PathSet)]
    [Parameter(ParameterSetName = LiteralPathSet)]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        string json;
        try { json = OomMachineJson.Write(Machine); }
        catch (Exception ex) when (ex is Engine.OomEngineException or ArgumentException)
        {
            WriteError(ToErrorRecord(ex, Machine));
            return;
        }
        if (ParameterSetName == TextSet)
        {
            WriteObject(json);
            return;
        }

        bool literal = ParameterSetName == LiteralPathSet;
        var full = OutputFile.Resolve(this, literal ? LiteralPath : Path, literal, out var error);
        if (full is null) { WriteError(error!); return; }
        if (!written.Add(full))
        {
            WriteError(new ErrorRecord(new IOException($"Machine '{Machine.Name}' was not written: '{full}' already holds machine from this command, and a file holds one machine. Give each machine its own file."),
                "OneMachinePerFile", ErrorCategory.InvalidOperation, Machine));
            return;
        }
        if (!ShouldProcess(full, $"Write machine '{Machine.Name}' ({Machine.Tasks.Count} processes) as {OomMachineJson.Schema} JSON")) return;
        var file = OutputFile.Write(full, json, Force, NoClobber, out error);
        if (file is null) { WriteError(error!); return; }
        if (PassThru) WriteObject(file);
    }
}
