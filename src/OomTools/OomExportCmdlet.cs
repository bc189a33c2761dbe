using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;

namespace OomTools;

/// <summary>
/// The shared shape of the Export-Oom* cmdlets: the text on the pipeline when no path is given, or a file
/// (-Path or -LiteralPath, under ShouldProcess) with -Force, -NoClobber and -PassThru.
/// </summary>
public abstract class OomExportCmdlet : OomCmdlet
{
    /// <summary>
    /// The parameter sets: Text (no path, the text goes to the pipeline; the default), Path and LiteralPath (a file).
    /// </summary>
    public const string TextSet = "Text", PathSet = "Path", LiteralPathSet = "LiteralPath";
    private readonly HashSet<string> written = new(StringComparer.Ordinal);

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

    /// <summary>No path was given: the text goes to the pipeline.</summary>
    protected bool ToPipeline => ParameterSetName == TextSet;

    /// <summary>The full path to write, or null after writing the error that says why not.</summary>
    protected string? ResolveTarget()
    {
        bool literal = ParameterSetName == LiteralPathSet;
        var full = OutputFile.Resolve(this, literal ? LiteralPath : Path, literal, out var error);
        if (full is null) WriteError(error!);
        return full;
    }

    /// <summary>
    /// Takes <paramref name="full"/> for one piped machine's output: false, after writing a OneMachinePerFile
    /// error that says <paramref name="refusal"/>, when this command has already taken it for another.
    /// </summary>
    protected bool ClaimForOneMachine(string full, string refusal, object target)
    {
        if (written.Add(full)) return true;
        WriteError(new ErrorRecord(new IOException(refusal), "OneMachinePerFile", ErrorCategory.InvalidOperation, target));
        return false;
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="full"/> (FileInfo with -PassThru), or an error.</summary>
    protected void WriteFile(string full, string content)
    {
        FileInfo? file = OutputFile.Write(full, content, Force, NoClobber, out var error);
        if (file is null) { WriteError(error!); return; }
        if (PassThru) WriteObject(file);
    }

    /// <summary>Writes the file as <paramref name="write"/> produces it (no whole string in memory), then -PassThru.</summary>
    protected void WriteFile(string full, Action<TextWriter> write)
    {
        FileInfo? file = OutputFile.Write(full, write, Force, NoClobber, out var error);
        if (file is null) { WriteError(error!); return; }
        if (PassThru) WriteObject(file);
    }
}
