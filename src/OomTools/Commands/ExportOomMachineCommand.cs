using System;
using System.IO;
using System.Management.Automation;
using OomTools.Engine.Model;
using OomTools.Engine.Serialization;

namespace OomTools.Commands;

/// <summary>
/// Export-OomMachine: a machine as an <c>oomtools.machine/v1</c> JSON document — to a file (-Path or
/// -LiteralPath, under ShouldProcess), written as it is made, or as a string when no path is given.
/// Import-OomMachine reads it back.
/// </summary>
[Cmdlet(VerbsData.Export, "OomMachine", DefaultParameterSetName = OomExportCmdlet.TextSet, SupportsShouldProcess = true)]
[OutputType(typeof(string), ParameterSetName = new[] { OomExportCmdlet.TextSet })]
[OutputType(typeof(FileInfo), ParameterSetName = new[] { OomExportCmdlet.PathSet, OomExportCmdlet.LiteralPathSet })]
public sealed class ExportOomMachineCommand : OomExportCmdlet
{
    /// <summary>The machine to export; machines can be piped in, each to its own file.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>Writes each piped machine's JSON document to the pipeline or the file.</summary>
    protected override void ProcessRecord()
    {
        Machine = ResolveMachine(Machine);
        if (ToPipeline)
        {
            string json;
            try { json = Locked(Machine, () => OomMachineJson.Write(Machine)); }
            catch (Exception ex) when (ex is Engine.OomEngineException or ArgumentException)
            {
                WriteError(ToErrorRecord(ex, Machine));
                return;
            }
            WriteObject(json);
            return;
        }

        var full = ResolveTarget();
        if (full is null) return;
        if (!ClaimForOneMachine(full, $"Machine '{Machine.Name}' was not written: '{full}' already holds machine from this command, and a file holds one machine. Give each machine its own file.", Machine))
            return;
        if (!ShouldProcess(full, $"Write machine '{Machine.Name}' ({Machine.Tasks.Count} processes) as {OomMachineJson.Schema} JSON")) return;
        // Written as it is made: a machine of a million tasks never becomes one string.
        try
        {
            // Under the machine's lock for the whole write: another runspace cannot change it half-way.
            WriteFile(full, writer => Locked(Machine, () =>
            {
                OomMachineJson.Write(Machine, writer);
                writer.Write('\n');
            }));
        }
        catch (Exception ex) when (ex is Engine.OomEngineException or ArgumentException)
        {
            WriteError(ToErrorRecord(ex, Machine));
        }
    }
}
