using System.Management.Automation;
using System;
using OomTools.Engine;
using OomTools.Engine.Kernels;
using OomTools.Engine.Killer;
using OomTools.Engine.Reports;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Commands;

/// <summary>
/// Invoke-OutOfMemory: runs the kernel's out_of_memory() on a machine — globally, in a memory cgroup, for a
/// cpuset or a mempolicy nodemask, or as SysRq-f — and returns the outcome: the victim, everyone killed, the
/// ranked candidates and the kernel's log lines. With -WhatIf the decision is made on a copy and the machine
/// is left as it was.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "OutOfMemory", SupportsShouldProcess = true, DefaultParameterSetName = MachineSet)]
[OutputType(typeof(OomOutcome))]
public sealed class InvokeOutOfMemoryCommand : OomCmdlet
{
    private const string MachineSet = "Machine", ReportSet = "Report";

    // Not bound by property name: a piped report has a Machine property too, and must bind -Report.
    [Parameter(Mandatory = true, ParameterSetName = MachineSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>
    /// A report from Import-OomReport: replay its event on the machine rebuilt from it, under the same constraint
    /// and allocation, and compare with the kernel's choice. The other parameters override the report's values.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = ReportSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public OomReport Report { get; set; } = null!;

    /// <summary>Replay with the scoring rules of this kernel version instead of the report's (e.g. 4.16, 5.8).</summary>
    [Parameter(ParameterSetName = ReportSet)]
    public Version? KernelVersion { get; set; }

    /// <summary>The memory cgroup whose limit was hit (a memcg OOM); a global OOM when omitted.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.CgroupPathCompleter))]
    public string? Cgroup { get; set; }

    /// <summary>
    /// The allocation's gfp mask as a number (0xcc0) or flag names (GFP_KERNEL|__GFP_COMP). Defaults to
    /// GFP_HIGHUSER_MOVABLE (a page fault) for a global OOM and GFP_KERNEL for a memcg OOM (a charge) and SysRq-f.
    /// </summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.GfpFlagCompleter))]
    public string? GfpMask { get; set; }

    /// <summary>The allocation order; -1 is SysRq-f (never aborts for a dying victim, never panics).</summary>
    [Parameter]
    [ValidateRange(-1, 10)]
    public int Order { get; set; }

    /// <summary>The allocation's mempolicy nodes, as a node list (0-1,3).</summary>
    [Parameter]
    public string? Nodemask { get; set; }

    /// <summary>The pid of the allocating task (current). A kernel worker allocates when omitted.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.PidCompleter))]
    public int? Current { get; set; }

    /// <summary>The cpuset the allocation comes from (current's own when omitted).</summary>
    [Parameter]
    public string? Cpuset { get; set; }

    protected override void ProcessRecord() => Try(() =>
    {
        if (ParameterSetName == ReportSet) { Replay(); return; }
        var target = Machine;
        var oc = Build(target);
        bool real = ShouldProcess(Machine.Name, Cgroup is null ? "Invoke the OOM killer" : $"Invoke the OOM killer in memory cgroup {Cgroup}");
        if (!real)
        {
            // -WhatIf: decide on a copy, so the answer is there and the machine is untouched.
            target = Machine.Clone();
            oc = Build(target);
        }
        oc.RecordCandidates = true;
        var outcome = target.Killer.Invoke(oc);
        WriteVerbose(outcome.Reason);
        WriteObject(outcome);
    }, Machine);

    private void Replay()
    {
        if (Report.Machine is null)
            throw new OomEngineException(OomError.InvalidState, $"Report {Report} has no machine to replay on: {Report.NotReplayableReason}.", Report);
        if (!Report.Replayable) WriteWarning($"{Report}: {Report.NotReplayableReason}; replaying what the report has.");
        var target = ShouldProcess(Report.Machine.Name, "Replay the OOM event") ? Report.Machine : Report.Machine.Clone();
        var scoring = target.Scoring;
        if (KernelVersion is not null) target.Scoring = KernelScoring.For(KernelVersion);
        try { ReplayOn(target); }
        finally { target.Scoring = scoring; }
    }

    private void ReplayOn(OomMachine target)
    {
        var oc = ReportReplay.ControlFor(Report, target);
        // Explicit parameters override what the report says.
        if (Cgroup is not null) oc.Memcg = target.GetCgroup(Cgroup);
        if (GfpMask is not null) oc.GfpMask = Engine.Units.GfpMask.Parse(GfpMask);
        if (IsBound(nameof(Order))) oc.Order = Order;
        if (Nodemask is not null) oc.Nodemask = NodeMask.Parse(Nodemask);
        if (Current is { } pid) oc.Current = target.GetTask(pid);
        if (Cpuset is not null) oc.CurrentCpuset = target.GetCpuset(Cpuset);
        oc.RecordCandidates = true;
        var outcome = target.Killer.Invoke(oc);
        ReportReplay.Compare(outcome, Report);
        WriteVerbose(outcome.Disagreement ?? outcome.Reason);
        WriteObject(outcome);
    }

    private OomControl Build(OomMachine machine)
    {
        var memcg = Cgroup is null ? null : machine.GetCgroup(Cgroup);
        // The usual masks: a charge (GFP_KERNEL) for a memcg OOM, SysRq-f's GFP_KERNEL, a page fault otherwise.
        var gfp = GfpMask is not null ? Engine.Units.GfpMask.Parse(GfpMask)
            : memcg is not null || Order == -1 ? Engine.Units.GfpMask.Kernel : Engine.Units.GfpMask.HighUserMovable;
        return new OomControl
        {
            Memcg = memcg,
            GfpMask = gfp,
            Order = Order,
            Nodemask = Nodemask is null ? null : NodeMask.Parse(Nodemask),
            Current = Current is { } pid ? machine.GetTask(pid) : null,
            CurrentCpuset = Cpuset is null ? null : machine.GetCpuset(Cpuset),
        };
    }
}
