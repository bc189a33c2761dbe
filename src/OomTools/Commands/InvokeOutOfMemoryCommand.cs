using System;
using System.Management.Automation;
using OomTools.Engine;
using OomTools.Engine.Kernels;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Reports;
using OomTools.Engine.Units;

namespace OomTools.Commands;

/// <summary>
/// Invoke-OutOfMemory: runs the kernel's out_of_memory() on a machine — globally, in a memory cgroup, for a
/// cpuset or a mempolicy nodemask, or as SysRq-f — and returns the outcome: the victim, everyone killed, the
/// ranked candidates and the kernel's log lines. With -WhatIf the decision is made on the machine itself and
/// undone (its kill marks, counters and log), so the machine is left as it was without being copied.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "OutOfMemory", SupportsShouldProcess = true, DefaultParameterSetName = MachineSet)]
[OutputType(typeof(OomOutcome))]
public sealed class InvokeOutOfMemoryCommand : OomDomainCmdlet
{
    private const string MachineSet = "Machine", ReportSet = "Report";

    // Not bound by property name, unlike every other -Machine: a piped report has a Machine property too, and must
    // bind -Report (it replays on its own machine).
    /// <summary>The machine to run the OOM on; it can come from the pipeline.</summary>
    [Parameter(ParameterSetName = MachineSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
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
    [ValidateNotNull]
    public Version? KernelVersion { get; set; }

    /// <summary>The allocation order; -1 is SysRq-f (never aborts for a dying victim, never panics).</summary>
    [Parameter]
    [ValidateRange(-1, 10)]
    public int Order { get; set; }

    /// <summary>
    /// Runs out_of_memory once per piped machine (undone under -WhatIf), or replays each piped report, and writes
    /// the outcome.
    /// </summary>
    protected override void ProcessRecord() => Try(() =>
    {
        if (ParameterSetName == ReportSet) { Replay(); return; }
        Machine = ResolveMachine(Machine);
        // out_of_memory runs under the machine's lock (oom_lock): one OOM decides at a time, and a second one sees
        // the first one's victim in flight.
        var outcome = Locked(Machine, () =>
        {
            var oc = Build(Machine);
            bool real = ShouldProcess(Machine.Name, Cgroup is null ? "Invoke the OOM killer" : $"Invoke the OOM killer in memory cgroup {Cgroup}");
            oc.RecordCandidates = true;
            // -WhatIf: decide on the machine and undo what the decision marked, so the answer is there and the
            // machine is as it was (no copy of it).
            return real ? Machine.Killer.Invoke(oc) : Machine.WhatIf(m => m.Killer.Invoke(oc));
        });
        WriteVerbose(outcome.Reason);
        WriteObject(outcome);
    }, Machine);

    private void Replay()
    {
        // A report that cannot be replayed is a warning, not an error: a pipeline of reports goes on with the next.
        if (!Report.Replayable || Report.Machine is not { } machine)
        {
            WriteWarning($"{Report} cannot be replayed: {Report.NotReplayableReason ?? "it has no machine"}. Nothing was run.");
            return;
        }
        var outcome = Locked(machine, () => ReplayLocked(machine));
        WriteVerbose(outcome.Disagreement ?? outcome.Reason);
        WriteObject(outcome);
    }

    private ReplayOutcome ReplayLocked(OomMachine machine)
    {
        var target = ShouldProcess(machine.Name, "Replay the OOM event") ? machine : machine.Clone();
        return ReportReplay.Replay(Report, target, oc =>
        {
            // Explicit parameters override what the report says.
            if (Cgroup is not null) oc.Memcg = target.GetCgroup(Cgroup);
            if (GfpMask is not null) oc.GfpMask = Engine.Units.GfpMask.Parse(GfpMask);
            if (IsBound(nameof(Order))) oc.Order = Order;
            if (Nodemask is not null) oc.Nodemask = NodeMask.Parse(Nodemask);
            if (Current is { } pid) oc.Current = target.GetTask(pid);
            if (Cpuset is not null) oc.CurrentCpuset = target.GetCpuset(Cpuset);
        }, KernelVersion is null ? null : KernelRules.For(KernelVersion));
    }

    /// <summary>The oom_control of the request; a -Current that does not exist is an error here.</summary>
    private OomControl Build(OomMachine machine)
    {
        var request = Request();
        request.Order = Order;
        var oc = request.ControlFor(machine);
        if (Current is { } pid) oc.Current = machine.GetTask(pid);
        return oc;
    }
}
