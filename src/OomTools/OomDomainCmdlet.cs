using System.Management.Automation;
using OomTools.Engine.Audit;

namespace OomTools;

/// <summary>
/// The parameters that say which OOM an audit is about — global, a memory cgroup, a mempolicy nodemask, a
/// cpuset — shared by the audit cmdlets.
/// </summary>
public abstract class OomDomainCmdlet : OomCmdlet, IOomDomainParameters
{
    /// <summary>An OOM in this memory cgroup (its limit hit); a global OOM when omitted.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.CgroupPathCompleter))]
    public string? Cgroup { get; set; }

    /// <summary>A mempolicy OOM over these nodes (a node list such as 0 or 0-1).</summary>
    [Parameter]
    public string? Nodemask { get; set; }

    /// <summary>The cpuset the allocation comes from.</summary>
    [Parameter]
    public string? Cpuset { get; set; }

    /// <summary>The allocation's gfp mask (number or flag names).</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.GfpFlagCompleter))]
    public string? GfpMask { get; set; }

    /// <summary>The allocating task's pid.</summary>
    [Parameter]
    public int? Current { get; set; }

    /// <summary>
    /// The OOM the domain parameters name, as an engine request (a bad -Nodemask or -GfpMask throws FormatException).
    /// </summary>
    protected OomRequest Request() => this.ToRequest();

    /// <summary>
    /// <see cref="Request()"/> for <paramref name="machine"/>: a -Current that is not one of its processes is
    /// TaskNotFound, as Invoke-OutOfMemory says it.
    /// </summary>
    protected OomRequest Request(OomTools.Engine.Model.OomMachine machine) => this.ToRequest(machine);
}
