using System;
using System.IO;
using System.Management.Automation;
using OomTools.Engine;
using OomTools.Engine.Model;
using OomTools.Engine.Serialization;

namespace OomTools.Commands;

/// <summary>
/// Import-OomMachine: rebuilds machines from <c>oomtools.machine/v1</c> JSON — files, text, or the objects that
/// PowerShell serialization (Invoke-Command, Start-Job, Import-Clixml) hands back in place of an OomMachine,
/// which carry the machine's JSON in their Json property.
/// </summary>
[Cmdlet(VerbsData.Import, "OomMachine", DefaultParameterSetName = PathSet)]
[OutputType(typeof(OomMachine))]
public sealed class ImportOomMachineCommand : OomCmdlet
{
    private const string PathSet = "Path", LiteralPathSet = "LiteralPath", JsonSet = "Json", InputSet = "InputObject";

    /// <summary>Machine files to read; wildcards allowed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = null!;

    /// <summary>Machine files to read, taken literally.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LP")]
    [ValidateNotNullOrEmpty]
    public string[] LiteralPath { get; set; } = null!;

    /// <summary>JSON documents, one machine each.</summary>
    [Parameter(Mandatory = true, ParameterSetName = JsonSet)]
    [ValidateNotNullOrEmpty]
    public string[] Json { get; set; } = null!;

    /// <summary>
    /// A deserialized OomMachine (from Invoke-Command, a job, Import-Clixml or PSSerializer), any object with a
    /// Json property, a live OomMachine (copied), a file from Get-ChildItem, or a JSON string.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = InputSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public PSObject InputObject { get; set; } = null!;

    /// <summary>
    /// Rebuilds one machine from each JSON document, file or piped object, and writes an error for each that is not
    /// one.
    /// </summary>
    protected override void ProcessRecord()
    {
        switch (ParameterSetName)
        {
            case JsonSet:
                foreach (var text in Json) FromText(text, "(json)");
                break;
            case InputSet:
                FromObject(InputObject);
                break;
            default:
                bool literal = ParameterSetName == LiteralPathSet;
                foreach (var file in OutputFile.ResolveExisting(this, literal ? LiteralPath : Path, literal, WriteError))
                    FromFile(file);
                break;
        }
    }

    private void FromObject(PSObject input)
    {
        switch (input.BaseObject)
        {
            case OomMachine live:
                // ForEach-Object -Parallel and thread jobs hand back the machine itself: an independent copy.
                var copy = live.Clone();
                MakeCurrent(copy);
                WriteObject(copy);
                return;
            case FileInfo file:
                FromFile(file.FullName);
                return;
            case string text:
                FromText(text, "(pipeline)");
                return;
        }
        var value = input.Properties["Json"]?.Value;
        if (value is PSObject wrapped) value = wrapped.BaseObject;
        if (value is string { Length: > 0 } json)
        {
            FromText(json, input);
            return;
        }
        var kind = input.TypeNames.Count > 0 ? input.TypeNames[0] : input.BaseObject.GetType().FullName;
        WriteError(new ErrorRecord(new ArgumentException(
            $"A {kind} is not a machine: Import-OomMachine takes an OomMachine, a deserialized one (with its Json property, which OomTools adds when it is loaded in the session that serializes it), a machine file or JSON text."),
            ErrorIds.InvalidArgument, ErrorCategory.InvalidArgument, input));
    }

    private void FromFile(string file)
    {
        // Read as a stream, one task at a time, within the reader's bounds: a machine of a million tasks never
        // becomes one string, and /dev/zero or an endless FIFO ends in an error.
        try { Build(() => OomMachineJson.Read(() => MachineFileReader.Open(file)), file); }
        catch (MachineFileBoundException e) { WriteError(e.Record); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            WriteError(new ErrorRecord(e, "FileReadError", ErrorCategory.ReadError, file));
        }
    }

    private void FromText(string text, object target) => Build(() => OomMachineJson.Read(text), target);

    private void Build(Func<OomMachine> read, object target)
    {
        try
        {
            var machine = read();
            MakeCurrent(machine);
            WriteObject(machine);
        }
        catch (Exception ex) when (ex is OomEngineException or FormatException or ArgumentException)
        {
            var record = ToErrorRecord(ex, target);
            if (target is string source && source.Length > 0 && source[0] != '(')
                record.ErrorDetails = new ErrorDetails($"{source}: {ex.Message}");
            WriteError(record);
        }
    }
}
