using System;
using System.Management.Automation;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;

namespace OomTools.Commands;

/// <summary>A registered OOM notifier, to pass to Unregister-OomNotifier.</summary>
public sealed class OomNotifierRegistration
{
    internal OomNotifierRegistration(OomMachine machine, string name, Func<long> callback)
    {
        Machine = machine;
        Name = name;
        Callback = callback;
    }

    /// <summary>The machine whose oom_notify_list holds the notifier.</summary>
    public OomMachine Machine { get; }
    /// <summary>The registration's name: -Name, or what the notifier frees, or "script block".</summary>
    public string Name { get; }
    internal Func<long> Callback { get; }
    /// <summary>The registration's name.</summary>
    public override string ToString() => Name;
}

/// <summary>
/// Register-OomNotifier: joins the kernel's oom_notify_list — on every global OOM, before anything is killed,
/// each notifier reports the pages it freed; if any were, out_of_memory returns without killing (not for SysRq).
/// </summary>
[Cmdlet(VerbsLifecycle.Register, "OomNotifier", SupportsShouldProcess = true, DefaultParameterSetName = PagesSet)]
[OutputType(typeof(OomNotifierRegistration))]
public sealed class RegisterOomNotifierCommand : OomCmdlet
{
    private const string PagesSet = "Pages", ScriptSet = "Script";

    /// <summary>The machine whose oom_notify_list the notifier joins.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>The notifier frees this many pages each time it is called (a balloon driver, say).</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PagesSet)]
    [ValidateRange(0, long.MaxValue)]
    public long Pages { get; set; }

    /// <summary>The notifier runs this script block, whose output (a number) is the pages it freed.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ScriptSet)]
    [ValidateNotNull]
    public ScriptBlock ScriptBlock { get; set; } = null!;

    /// <summary>A name for the registration; by default it says what the notifier frees, or "script block".</summary>
    [Parameter]
    public string? Name { get; set; }

    /// <summary>Registers the notifier (register_oom_notifier) and writes its registration.</summary>
    protected override void ProcessRecord()
    {
        Machine = ResolveMachine(Machine);
        var name = Name ?? (ParameterSetName == PagesSet ? $"frees {Pages} pages" : "script block");
        if (!ShouldProcess(Machine.Name, $"Register OOM notifier '{name}'")) return;
        long pages = Pages;
        var block = ScriptBlock;
        Func<long> callback = ParameterSetName == PagesSet ? () => pages : () => RunScript(block, name);
        Locked(Machine, () => Machine.Killer.RegisterOomNotifier(callback));
        WriteObject(new OomNotifierRegistration(Machine, name, callback));
    }

    /// <summary>
    /// Runs the notifier's script block; a script that throws stops the OOM before anything is killed, as an engine
    /// refusal (NotifierFailed) naming the notifier, so the cmdlet that ran the OOM writes an ErrorRecord.
    /// </summary>
    private static long RunScript(ScriptBlock block, string name)
    {
        try { return ToPages(block.Invoke()); }
        catch (Exception ex) when (ex is not Engine.OomEngineException)
        {
            throw new Engine.OomEngineException(Engine.OomError.NotifierFailed, $"OOM notifier '{name}' failed: {ex.Message}", name);
        }
    }

    private static long ToPages(System.Collections.ObjectModel.Collection<PSObject> output)
    {
        long sum = 0;
        foreach (var o in output)
            if (o?.BaseObject is IConvertible c) { try { sum += c.ToInt64(System.Globalization.CultureInfo.InvariantCulture); } catch (FormatException) { } }
        return sum;
    }
}
