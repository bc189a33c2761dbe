using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OomTools.Engine;
using OomTools.Engine.Audit;
using OomTools.Engine.Model;

namespace OomTools.Commands;

/// <summary>
/// Test-OomProtection: for each critical service (the processes picked by one -Name, one -Pid, or a -Cgroup such
/// as a systemd unit's), its rank, its margin in pages to the process above it, who dies before it, whether it
/// survives the first -Kills OOM kills, and the highest oom_score_adj that still keeps it out of them, with the
/// reason when none does. -Detail gives one row per process instead. Results a runbook can assert on.
/// </summary>
[Cmdlet(VerbsDiagnostic.Test, "OomProtection")]
[OutputType(typeof(ProtectionReport))]
public sealed class TestOomProtectionCommand : OomDomainCmdlet
{
    /// <summary>The machine; it can come from the pipeline by the property name Machine.</summary>
    [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>The critical processes, by name (wildcards allowed): one row per process name.</summary>
    [Parameter(Position = 0)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(Completers.TaskNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>The critical processes, by pid: one row per pid.</summary>
    [Parameter]
    [ArgumentCompleter(typeof(Completers.PidCompleter))]
    public int[]? Pid { get; set; }

    /// <summary>It must survive this many OOM kills.</summary>
    [Parameter]
    [ValidateRange(1, 100_000)]
    public int Kills { get; set; } = 1;

    /// <summary>One row per process rather than one per service.</summary>
    [Parameter]
    public SwitchParameter Detail { get; set; }

    /// <summary>
    /// Writes one ProtectionReport per service of each machine (per process with -Detail), in task-list order.
    /// </summary>
    protected override void ProcessRecord() => Try(() =>
    {
        if (Name is null && Pid is null && Cgroup is null)
            Fail(new OomEngineException(OomError.InvalidArgument, "Name the critical processes: give -Name, -Pid or -Cgroup (a service's cgroup, such as /system.slice/postgresql.service)."));
        var request = Locked(Machine, () => Request(Machine));
        // A unit's cgroup without a limit of its own is in the OOM of the nearest limited ancestor, or a global one.
        if (Cgroup is not null) request.Cgroup = Locked(Machine, () => ServiceDomain.LimitingCgroup(Machine, Cgroup));
        var notFound = new List<OomEngineException>();
        var tasks = Locked(Machine, () => TaskFilter.Select(Machine, Pid, Name, Cgroup, notFound.Add));
        foreach (var e in notFound) WriteError(ToErrorRecord(e));
        var services = Services(tasks);
        // Progress only when there are several services to go through: one audit takes milliseconds, and in a fleet
        // run through ForEach-Object -Parallel each record is carried back to the host's thread.
        bool progress = services.Count > 1;
        int i = 0;
        foreach (var (service, members) in services)
        {
            if (progress) WriteProgress(new ProgressRecord(1, "Test-OomProtection", service) { PercentComplete = 100 * i++ / services.Count });
            var row = Locked(Machine, () => OomProtection.AssessService(Machine, service, members, request, Kills));
            if (Detail && row.Processes.Count > 0) WriteObject(row.Processes, true);
            else WriteObject(row);
        }
        if (progress) WriteProgress(new ProgressRecord(1, "Test-OomProtection", "done") { RecordType = ProgressRecordType.Completed });
    }, Machine = ResolveMachine(Machine));

    // -Pid: a row per pid; -Name: a row per process name; -Cgroup alone: one row for the cgroup.
    private List<(string, IReadOnlyList<OomTask>)> Services(List<OomTask> tasks)
    {
        if (Pid is not null) return tasks.Select(t => ($"pid {t.Pid}", (IReadOnlyList<OomTask>)new[] { t })).ToList();
        if (Name is null) return tasks.Count == 0 ? new() : new() { (Cgroup!, tasks) };
        return tasks.GroupBy(t => t.Comm, System.StringComparer.Ordinal)
            .Select(g => (g.Key, (IReadOnlyList<OomTask>)g.ToList())).ToList();
    }
}
