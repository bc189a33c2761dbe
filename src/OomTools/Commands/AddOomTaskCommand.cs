using System;
using System.Management.Automation;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Commands;

/// <summary>
/// Add-OomTask: forks a process onto a machine's task list. Every parameter binds by property name, so
/// <c>Import-Csv tasks.csv | Add-OomTask -Machine $m</c> and <c>Get-OomTask -Machine $a | Add-OomTask -Machine $b</c> work.
/// </summary>
/// <remarks>
/// The other parameters are marked [ByPropertyName] instead of ValueFromPipelineByPropertyName: PowerShell's binder
/// walks every parameter flagged so for every piped object, looking its name and aliases up on the object twice
/// (without, then with type coercion), 20-40 µs an object for these 30. A piped object binds -InputObject, and
/// <see cref="PipedRowBinder"/> reads its properties once and binds them with the binder's rules (names and aliases,
/// transformations, conversions, validation errors, "not bound" outcomes). The help says "ByPropertyName" for them.
/// </remarks>
[Cmdlet(VerbsCommon.Add, "OomTask", SupportsShouldProcess = true)]
[OutputType(typeof(OomTask))]
public sealed class AddOomTaskCommand : OomRowCmdlet
{
    private long row;
    private PipedRowBinder? binder;
    private bool verbose = true;
    private bool asks = true;

    /// <summary>
    /// The machine to add the process to; the current machine when omitted. A row binds it by its Machine property; a
    /// machine itself is not taken from the pipeline, which brings rows here (its Name would become the process name).
    /// It is the one parameter PowerShell's binder still binds by property name.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ValidateNotNull]
    [BlankIsCurrentMachine]
    public OomMachine Machine { get; set; } = null!;

    /// <summary>The pid; the machine's next free pid when omitted.</summary>
    [Parameter, ByPropertyName]
    [ValidateRange(1, int.MaxValue)]
    public int? Pid { get; set; }

    /// <summary>The command name (comm); the kernel keeps 15 characters.</summary>
    [Parameter(Position = 0), ByPropertyName]
    [Alias("Comm")]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = "task";

    /// <summary>
    /// The user id (default 0): printed in the task table and the kill lines, never scored (no root bonus since Linux
    /// 4.17).
    /// </summary>
    [Parameter, ByPropertyName]
    [ValidateRange(0, int.MaxValue)]
    public int Uid { get; set; }

    /// <summary>Anonymous rss: bytes (512MB) or a number with a unit ('512M', '6GiB'); -Rss is the same.</summary>
    [Parameter, ByPropertyName]
    [Alias("Rss", "RssAnon")]
    [Size(SizeKind.Process)]
    public MemorySize? AnonRss { get; set; }

    /// <summary>File-backed rss: bytes or a number with a unit.</summary>
    [Parameter, ByPropertyName]
    [Alias("RssFile")]
    [Size(SizeKind.Process)]
    public MemorySize? FileRss { get; set; }

    /// <summary>Shared-memory (shmem, tmpfs) rss: bytes or a number with a unit.</summary>
    [Parameter, ByPropertyName]
    [Alias("RssShmem")]
    [Size(SizeKind.Process)]
    public MemorySize? ShmemRss { get; set; }

    /// <summary>Swapped-out memory: bytes or a number with a unit.</summary>
    [Parameter, ByPropertyName]
    [Alias("VmSwap")]
    [Size(SizeKind.Process)]
    public MemorySize? Swap { get; set; }

    /// <summary>Virtual size (total_vm): bytes or a number with a unit.</summary>
    [Parameter, ByPropertyName]
    [Size(SizeKind.Process)]
    public MemorySize? VirtualSize { get; set; }

    /// <summary>MM_ANONPAGES in pages.</summary>
    [Parameter, ByPropertyName]
    public Pages? AnonPages { get; set; }

    /// <summary>File rss in pages (MM_FILEPAGES), instead of -FileRss.</summary>
    [Parameter, ByPropertyName]
    public Pages? FilePages { get; set; }

    /// <summary>Shmem rss in pages (MM_SHMEMPAGES), instead of -ShmemRss.</summary>
    [Parameter, ByPropertyName]
    public Pages? ShmemPages { get; set; }

    /// <summary>MM_SWAPENTS in pages.</summary>
    [Parameter, ByPropertyName]
    [Alias("SwapEntries", "SwapEnts")]
    public Pages? SwapPages { get; set; }

    /// <summary>total_vm in pages.</summary>
    [Parameter, ByPropertyName]
    public Pages? TotalVm { get; set; }

    /// <summary>Page-table bytes (the pgtables_bytes column).</summary>
    [Parameter, ByPropertyName]
    [Alias("PgtablesBytes")]
    [Size(SizeKind.Exact)]
    public MemorySize? PageTableBytes { get; set; }

    /// <summary>
    /// oom_score_adj, -1000..1000 (default 0): oom_badness adds it times totalpages / 1000 pages; -1000 makes the
    /// process unkillable.
    /// </summary>
    [Parameter, ByPropertyName]
    [ValidateRange(-1000, 1000)]
    public int OomScoreAdj { get; set; }

    /// <summary>
    /// oom_score_adj_min, -1000..1000 (default 0): recorded on the task only, never part of the OOM decision.
    /// </summary>
    [Parameter, ByPropertyName]
    [ValidateRange(-1000, 1000)]
    public int? OomScoreAdjMin { get; set; }

    /// <summary>The memory cgroup path (it must exist; see New-OomCgroup).</summary>
    [Parameter, ByPropertyName]
    [ArgumentCompleter(typeof(Completers.CgroupPathCompleter))]
    public string? Cgroup { get; set; }

    /// <summary>The cpuset path (see New-OomCpuset).</summary>
    [Parameter, ByPropertyName]
    public string? Cpuset { get; set; }

    /// <summary>MPOL_BIND nodes, as a list such as 0-1,3.</summary>
    [Parameter, ByPropertyName]
    [Alias("MempolicyBind")]
    public string? MempolicyNodes { get; set; }

    /// <summary>Share the mm of this pid (CLONE_VM): killed together, scored on the same counters.</summary>
    [Parameter, ByPropertyName]
    public int? SharesMemoryWith { get; set; }

    /// <summary>
    /// Forked from this process (or a sibling forked from the same parent): part of the anonymous rss is still
    /// shared copy-on-write with it, charged to its cgroup, freed only when the last process mapping it dies.
    /// </summary>
    [Parameter, ByPropertyName]
    [ArgumentCompleter(typeof(Completers.PidCompleter))]
    [ValidateRange(0, int.MaxValue)]
    public int? CowSharedWith { get; set; }

    /// <summary>Bytes of anonymous memory still shared copy-on-write (default: the other process's pool, or all its private anonymous memory).</summary>
    [Parameter, ByPropertyName]
    [Size(SizeKind.Process)]
    public MemorySize? CowSharedSize { get; set; }

    /// <summary>The copy-on-write share in pages, instead of -CowSharedSize.</summary>
    [Parameter, ByPropertyName]
    public Pages? CowSharedPages { get; set; }

    /// <summary>A MAP_SHARED anonymous region this process maps, by a name of your choice (created when new, joined when it exists).</summary>
    [Parameter, ByPropertyName]
    public string? SharedAnonRegion { get; set; }

    /// <summary>A tmpfs or /dev/shm file this process maps, by its path (created when new, joined when it exists).</summary>
    [Parameter, ByPropertyName]
    public string? ShmemFile { get; set; }

    /// <summary>Bytes resident in a new -SharedAnonRegion or -ShmemFile (left out when joining one).</summary>
    [Parameter, ByPropertyName]
    [Size(SizeKind.Process)]
    public MemorySize? SharedSize { get; set; }

    /// <summary>The new region's or file's size in pages, instead of -SharedSize.</summary>
    [Parameter, ByPropertyName]
    public Pages? SharedPages { get; set; }

    /// <summary>The -ShmemFile was removed while mapped: its pages go with its last mapping (a linked file keeps them).</summary>
    [Parameter, ByPropertyName]
    public SwitchParameter Unlinked { get; set; }

    /// <summary>
    /// Threads in the process, the leader included (default 1); the extra threads take the pids after -Pid.
    /// </summary>
    [Parameter, ByPropertyName]
    [Alias("ThreadCount")]
    [ValidateRange(1, 1_000_000)]
    public int Threads { get; set; } = 1;

    /// <summary>How many threads, leader first, have already dropped the mm.</summary>
    [Parameter, ByPropertyName]
    [ValidateRange(0, 1_000_000)]
    public int DetachedThreads { get; set; }

    /// <summary>A kernel thread (PF_KTHREAD): no mm, never an OOM candidate.</summary>
    [Parameter, ByPropertyName, Alias("IsKernelThread")] public SwitchParameter KernelThread { get; set; }
    /// <summary>Global init (is_global_init), never chosen; pid 1 is init unless -GlobalInit:$false is given.</summary>
    [Parameter, ByPropertyName, Alias("IsGlobalInit")] public SwitchParameter GlobalInit { get; set; }
    /// <summary>
    /// PF_EXITING: a single-threaded exiting process will free its memory (task_will_free_mem), so it gets reserves
    /// instead of a kill.
    /// </summary>
    [Parameter, ByPropertyName] public SwitchParameter Exiting { get; set; }
    /// <summary>SIGNAL_GROUP_EXIT: a fatal signal is already tearing the thread group down.</summary>
    [Parameter, ByPropertyName] public SwitchParameter GroupExiting { get; set; }
    /// <summary>The thread group is dumping core, so task_will_free_mem is false for it.</summary>
    [Parameter, ByPropertyName] public SwitchParameter CoreDumping { get; set; }
    /// <summary>A vfork child still on its parent's mm (in_vfork): oom_badness skips it.</summary>
    [Parameter, ByPropertyName] public SwitchParameter InVfork { get; set; }
    /// <summary>oom_flag_origin (swapoff, KSM unmerging): scored LONG_MAX and chosen first.</summary>
    [Parameter, ByPropertyName] public SwitchParameter OomOrigin { get; set; }
    /// <summary>Frozen (cgroup freezer, suspend); mark_oom_victim thaws a frozen victim.</summary>
    [Parameter, ByPropertyName] public SwitchParameter Frozen { get; set; }
    /// <summary>The mm already has MMF_OOM_SKIP.</summary>
    [Parameter] public SwitchParameter OomSkip { get; set; }
    /// <summary>Already an OOM victim (SIGKILL pending, oom_mm set).</summary>
    [Parameter] public SwitchParameter OomVictim { get; set; }

    /// <summary>Write the added OomTask to the pipeline (by default nothing is written).</summary>
    [Parameter] public SwitchParameter PassThru { get; set; }

    /// <summary>Saves the parameters' defaults, which each piped object's properties replace (<see cref="PipedRowBinder"/>).</summary>
    protected override void BeginProcessing()
    {
        binder = PipedRowBinder.For(this, nameof(InputObject));
        verbose = MayWriteVerbose();
        asks = verbose || MayAsk();
    }

    /// <summary>
    /// Whether ShouldProcess can do anything but return true (it formats its message first, for every record):
    /// -WhatIf or -Confirm given, $WhatIfPreference set, or $ConfirmPreference at Medium (this cmdlet's impact) or
    /// below; with -Verbose it also writes the message.
    /// </summary>
    private bool MayAsk() =>
        MyInvocation.BoundParameters.ContainsKey("WhatIf") || MyInvocation.BoundParameters.ContainsKey("Confirm")
        || !(GetVariableValue("WhatIfPreference") is bool or SwitchParameter && !LanguagePrimitives.IsTrue(GetVariableValue("WhatIfPreference")))
        || GetVariableValue("ConfirmPreference") is not (ConfirmImpact.High or ConfirmImpact.None);

    /// <summary>
    /// Whether a verbose message can be shown, so a 100,000-row pipeline does not format 100,000 messages no one sees:
    /// -Verbose or -Debug given, or $VerbosePreference neither SilentlyContinue nor Ignore.
    /// </summary>
    private bool MayWriteVerbose() =>
        MyInvocation.BoundParameters.ContainsKey("Verbose") || MyInvocation.BoundParameters.ContainsKey("Debug")
        || GetVariableValue("VerbosePreference") is not (ActionPreference.SilentlyContinue or ActionPreference.Ignore);

    /// <summary>
    /// Adds one process per input record: sizes in bytes or pages become pages, then the machine forks it.
    /// </summary>
    protected override void ProcessRecord()
    {
        if (!binder!.Bind(InputObject)) return;
        Machine = ResolveMachine(Machine);
        if (binder.Refuse(InputObject, ++row)) return;
        // OomCmdlet.Try, without its closure and with the target text made only when it is shown: 100,000 rows.
        try
        {
            int ps = Machine.PageSize;
            if (AnySizeInBytes()) Sizes.WarnImplausible(this, ps);
            var spec = new OomTaskSpec
            {
                Pid = Pid,
                Name = Name,
                Uid = Uid,
                AnonPages = Sizes.Pick("anonymous rss", AnonRss, AnonPages, ps) ?? Pages.Zero,
                FilePages = Sizes.Pick("file rss", FileRss, FilePages, ps) ?? Pages.Zero,
                ShmemPages = Sizes.Pick("shmem rss", ShmemRss, ShmemPages, ps) ?? Pages.Zero,
                SwapEntries = Sizes.Pick("swap", Swap, SwapPages, ps) ?? Pages.Zero,
                TotalVm = Sizes.Pick("virtual size", VirtualSize, TotalVm, ps),
                PageTableBytes = PageTableBytes?.Bytes ?? 0,
                OomScoreAdj = Engine.Units.OomScoreAdj.From(OomScoreAdj),
                OomScoreAdjMin = OomScoreAdjMin is { } min ? Engine.Units.OomScoreAdj.From(min) : null,
                Cgroup = Cgroup,
                Cpuset = Cpuset,
                MempolicyBind = string.IsNullOrWhiteSpace(MempolicyNodes) ? null : NodeMask.Parse(MempolicyNodes!),
                SharesMemoryWith = SharesMemoryWith,
                Threads = Threads,
                DetachedThreads = DetachedThreads,
                KernelThread = KernelThread,
                GlobalInit = IsBound(nameof(GlobalInit)) ? GlobalInit.IsPresent : null,
                Exiting = Exiting,
                GroupExiting = GroupExiting,
                CoreDumping = CoreDumping,
                InVfork = InVfork,
                OomOrigin = OomOrigin,
                Frozen = Frozen,
                OomSkip = OomSkip,
                OomVictim = OomVictim,
            };
            var cowPages = Sizes.Pick("copy-on-write share", CowSharedSize, CowSharedPages, ps);
            var sharedPages = Sizes.Pick("shared size", SharedSize, SharedPages, ps);
            bool? unlinked = IsBound(nameof(Unlinked)) ? Unlinked.IsPresent : null;
            // Nothing shared keeps the spec's empty list: no list made per process of a bulk add.
            if (CowSharedWith is not null || cowPages is not null || SharedAnonRegion is not null || ShmemFile is not null || sharedPages is not null || unlinked is not null)
                spec.Shared = SharedMappings.From(CowSharedWith, cowPages, SharedAnonRegion, ShmemFile, sharedPages, unlinked);
            if (asks && !ShouldProcess($"{Target()} on {Machine.Name}", "Add process")) return;
            // Locked(), without its closure: 100,000 rows.
            OomTask task;
            lock (Machine.SyncRoot) task = Machine.AddTask(spec);
            if (verbose) WriteVerbose($"Added {task} to {Machine.Name}.");
            if (PassThru) WriteObject(task);
        }
        catch (Exception ex) when (IsRefusal(ex))
        {
            WriteError(ToErrorRecord(ex, Target()));
        }
    }

    /// <summary>
    /// Whether a size in bytes is given, the only parameters <see cref="Sizes.WarnImplausible"/> warns about: it reads
    /// every bound parameter, for every row.
    /// </summary>
    private bool AnySizeInBytes() =>
        AnonRss is not null || FileRss is not null || ShmemRss is not null || Swap is not null || VirtualSize is not null
        || PageTableBytes is not null || CowSharedSize is not null || SharedSize is not null;

    /// <summary>The process as a ShouldProcess target and an error's target object: its name, and its pid when given.</summary>
    private string Target() => Pid is { } p ? $"{Name} (pid {p})" : Name;
}
