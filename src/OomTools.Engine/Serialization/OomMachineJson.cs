using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OomTools.Engine.Kernels;
using OomTools.Engine.Killer;
using OomTools.Engine.Log;
using OomTools.Engine.Model;
using OomTools.Engine.Time;
using OomTools.Engine.Units;

namespace OomTools.Engine.Serialization;

/// <summary>
/// A whole <see cref="OomMachine"/> as a versioned JSON document, <c>"schema": "oomtools.machine/v1"</c>: sizes,
/// page size, NUMA nodes, kernel version and scoring rules, HZ, the OOM sysctls, cgroup version, the memory
/// cgroups (limits, swappiness, oom.group, events, task order) and cpusets in creation order, every process in
/// task-list order with its threads, flags, states and mm, the OOM killer's state (victims, kill count, panic,
/// reaper queue), the clock and the kernel log. Sizes are in pages, as the engine keeps them.
/// <para>
/// Each process carries its mm whole (<c>"mm": {"id": 1, ...}</c>); processes that share an mm (CLONE_VM) carry
/// the same id and the same fields, and share one mm again after import. Writing a read machine gives the
/// same text, character for character.
/// </para>
/// <para>
/// Shared objects (<see cref="SharedMemory"/>: copy-on-write pools, shared anon regions, shmem files) are the
/// optional <c>"shared"</c> array after the tasks — name, kind, pages, the cgroup charged, linked, and the ids of
/// the mms mapping them — written only when the machine has any, so the schema stays v1 (a reader without them
/// reads the rest; this reader reads documents without them).
/// </para>
/// <para>
/// Not in the document: OOM notifiers (code), the printk rate-limit windows (they start afresh), and timeline
/// items or reaper-list entries of processes that already left the task list (Clone drops those too).
/// </para>
/// </summary>
public static partial class OomMachineJson
{
    /// <summary>The schema this version writes, and the only one it reads.</summary>
    public const string Schema = "oomtools.machine/v1";

    private const string SchemaFamily = "oomtools.machine/";
    private const string Unlimited = "max";

    // The names a pending timeline item's kind may have.
    private static readonly string[] PendingKindNames = Enum.GetNames(typeof(PendingKind));

    #region Writing
    /// <summary>The machine as an indented JSON document (no trailing newline).</summary>
    public static string Write(OomMachine machine)
    {
        if (machine is null) throw new ArgumentNullException(nameof(machine));
        return Json.Write(ToDocument(machine));
    }

    /// <summary>
    /// Writes the same document as <see cref="Write(OomMachine)"/> onto <paramref name="writer"/> as it goes: one
    /// cgroup, task, shared object or log entry is made at a time, so a machine of any size is written in the memory
    /// of one task (and an id per mm). The machine must not change while it is written.
    /// </summary>
    public static void Write(OomMachine machine, System.IO.TextWriter writer)
    {
        if (machine is null) throw new ArgumentNullException(nameof(machine));
        if (writer is null) throw new ArgumentNullException(nameof(writer));
        Json.Write(writer, ToDocument(machine));
    }

    private static JsonObject ToDocument(OomMachine m)
    {
        var doc = new JsonObject()
            .Add("schema", Schema)
            .Add("name", m.Name)
            .Add("pageSize", (long)m.PageSize)
            .Add("ramPages", m.TotalRamPages.Value)
            .Add("swapPages", m.TotalSwapPages.Value)
            .Add("nodes", Map(m.Nodes, n => new JsonObject().Add("id", (long)n.Id).Add("presentPages", n.PresentPages.Value)))
            .Add("kernelVersion", m.KernelVersion.ToString())
            .Add("scoringVersion", m.Scoring.Version.ToString())
            .Add("hz", (long)m.Hz)
            .Add("defaultExitLatencyJiffies", m.DefaultExitLatency.Value)
            .Add("cgroupVersion", (long)(int)m.CgroupVersion)
            .Add("sysctls", new JsonObject()
                .Add("vm.swappiness", (long)m.VmSwappiness)
                .Add("vm.panic_on_oom", (long)m.PanicOnOom)
                .Add("vm.oom_kill_allocating_task", m.OomKillAllocatingTask)
                .Add("vm.oom_dump_tasks", m.OomDumpTasks))
            .Add("usedPages", m.UsedPages?.Value)
            .Add("slabUnreclaimablePages", m.SlabUnreclaimablePages.Value)
            .Add("lruPages", m.LruPages.Value)
            .Add("logCapacity", (long)m.Log.Capacity)
            .Add("state", WithVmstat(m, new JsonObject()
                .Add("clockNs", m.Clock.Nanoseconds)
                .Add("nextPid", (long)m.NextPid)
                .Add("oomKillerDisabled", m.OomKillerDisabled)
                .Add("oomVictims", (long)m.OomVictims)
                .Add("oomKillCount", m.OomKillCount)
                .Add("panicMessage", m.PanicMessage)
                .Add("oomReaperList", Map(new OomKiller(m).OomReaperList.Where(t => ReferenceEquals(m.FindTask(t.Pid), t)), t => (long)t.Pid))
                .Add("timeline", Timeline(m))));

        // Paths built once each from the parent's (a cgroup's Path walks up to the root every time it is read).
        var memcgPaths = new TreePaths<MemoryCgroup>(c => c.Parent, c => c.Name);
        var cpusetPaths = new TreePaths<Cpuset>(c => c.Parent, c => c.Name);
        IEnumerable<object?> Cgroups()
        {
            foreach (var cg in m.RootMemcg.SubtreePreOrder()) yield return Cgroup(cg);
        }
        JsonObject Cgroup(MemoryCgroup cg) => new JsonObject()
                .Add("path", memcgPaths.Of(cg))
                .Add("memoryMax", Limit(m, cg.MemoryMax))
                .Add("swapMax", Limit(m, cg.SwapMax))
                .Add("memswMax", Limit(m, cg.MemswMax))
                .Add("swappiness", cg.Swappiness is { } s ? (long)s : null)
                .Add("oomGroup", cg.OomGroup)
                .Add("usage", cg.Usage?.Value)
                .Add("oomKillEvents", cg.OomKillEvents)
                .Add("oomGroupKillEvents", cg.OomGroupKillEvents)
                .Add("oomEvents", cg.Oom)
                .Add("oomKillDisable", cg.OomKillDisable)
                .Add("taskOrder", new JsonLazyArray(Lazy(cg.Tasks, t => (long)t.Pid)));
        doc.Add("memoryCgroups", new JsonLazyArray(Cgroups()));
        doc.Add("cpusets", new JsonLazyArray(Lazy(CpusetsPreOrder(m.RootCpuset),
            cs => new JsonObject().Add("path", cpusetPaths.Of(cs)).Add("mems", cs.Mems.ToString()).Add("hardwall", cs.Hardwall))));

        // mm ids in order of first appearance along the task list (mm before oom_mm): the shared objects name them.
        var mmIds = new MmIds(m);
        doc.Add("tasks", new TaskArray(m, memcgPaths, cpusetPaths, mmIds));
        // Written only when there are any, so a machine without shared objects reads and writes as before.
        if (m.Shared.Count > 0)
        {
            // Read after the tasks are written: every mapper's id is known by then.
            doc.Add("shared", new JsonLazyArray(Lazy(m.Shared, s => new JsonObject()
                .Add("name", s.Name)
                .Add("kind", s.Kind.ToString())
                .Add("pages", s.Pages.Value)
                .Add("cgroup", memcgPaths.Of(s.Memcg))
                .Add("linked", s.Linked)
                .Add("mappers", MapperIds(s, mmIds)))));
        }

        doc.Add("log", new JsonLazyArray(Lazy(m.Log.Entries, e => new JsonObject()
            .Add("ns", e.TimestampNs)
            .Add("level", e.Level.ToString())
            .Add("text", e.Text))));
        return doc;
    }

    // The ids of the mms mapping a shared object, those of the tasks only.
    private static List<object?> MapperIds(SharedMemory s, MmIds mmIds)
    {
        var list = new List<object?>();
        foreach (var mm in s.Mappers)
            if (mmIds.TryGet(mm, out var id)) list.Add(id);
        return list;
    }

    private static IEnumerable<object?> Lazy<T>(IEnumerable<T> items, Func<T, object?> map)
    {
        foreach (var i in items) yield return map(i);
    }

    private static List<object?> Map<T>(IEnumerable<T> items, Func<T, object?> map)
    {
        var list = new List<object?>();
        foreach (var i in items) list.Add(map(i));
        return list;
    }

    // The host's /proc/vmstat oom_kill, last in the state and only when a snapshot read it: modelled machines'
    // documents stay as they were.
    private static JsonObject WithVmstat(OomMachine m, JsonObject state) =>
        m.VmstatOomKill is { } kills ? state.Add("vmstatOomKill", kills) : state;

    private static JsonObject Timeline(OomMachine m)
    {
        // Items of processes that already left the task list are left out, as Clone does.
        bool Alive(OomTask t) => ReferenceEquals(m.FindTask(t.Pid), t);
        var busyWith = m.OomReaperThread?.BusyWith is { } busy && Alive(busy) ? busy : null;
        return new JsonObject()
            .Add("nextSeq", m.Pending.NextSeq)
            .Add("reaping", busyWith is null ? null : (long)busyWith.Pid)
            .Add("pending", Map(m.Pending.Items.Where(i => Alive(i.Task)), i => new JsonObject()
                .Add("at", i.At.Value)
                .Add("seq", i.Seq)
                .Add("kind", i.Kind.ToString())
                .Add("pid", (long)i.Task.Pid)
                .Add("attempt", (long)i.Attempt)));
    }

    private static object Limit(OomMachine m, Pages limit) => limit == m.PageCounterMax ? Unlimited : limit.Value;

    // Enum.GetValues and ToString per mm cost more than the rest of its fields.
    private static readonly MmFlags[] FlagValues = (MmFlags[])Enum.GetValues(typeof(MmFlags));
    private static readonly string[] FlagNames = Array.ConvertAll(FlagValues, f => f.ToString());

    private static List<object?> Flags(MmFlags flags)
    {
        var list = new List<object?>();
        long rest = (long)flags;
        for (int i = 0; i < FlagValues.Length; i++)
        {
            var f = FlagValues[i];
            if (f == MmFlags.None || (flags & f) != f) continue;
            list.Add(FlagNames[i]);
            rest &= ~(long)f;
        }
        if (rest != 0) list.Add(rest); // bits without a name here are kept as a number
        return list;
    }

    private static IEnumerable<Cpuset> CpusetsPreOrder(Cpuset root)
    {
        var stack = new Stack<Cpuset>();
        stack.Push(root);
        while (stack.Count > 0)
        {
            var cs = stack.Pop();
            yield return cs;
            for (int i = cs.Children.Count - 1; i >= 0; i--) stack.Push(cs.Children[i]);
        }
    }
    #endregion

    #region Reading
    /// <summary>
    /// Rebuilds the machine a document describes. Syntax errors are <see cref="FormatException"/>s (line and
    /// column); a document of another schema version, or with a missing or mistyped member, is an
    /// <see cref="OomEngineException"/> with <see cref="OomError.InvalidArgument"/> naming it.
    /// </summary>
    public static OomMachine Read(string json)
    {
        if (json is null) throw new ArgumentNullException(nameof(json));
        return Read(() => new System.IO.StringReader(json));
    }

    // The whole document in memory, members in any order: for a document the streaming reader cannot take in one pass.
    private static OomMachine ReadWhole(string json)
    {
        var root = Json.Parse(json);
        if (root is not JsonObject doc)
            throw Invalid("The JSON is not an OomTools machine: it is not an object with \"schema\": \"" + Schema + "\".", "$");
        CheckSchema(doc);
        return new DocumentReader(doc).Build();
    }

    /// <summary>The schema a JSON document names, without reading the rest (null when it names none).</summary>
    public static string? SchemaOf(string json)
    {
        var root = Json.Parse(json);
        return root is JsonObject doc && doc.TryGet("schema", out var s) ? s as string : null;
    }

    private static void CheckSchema(JsonObject doc)
    {
        if (!doc.TryGet("schema", out var s) || s is not string schema)
            throw Invalid($"The JSON is not an OomTools machine: it has no \"schema\" member (expected \"{Schema}\").", "schema");
        if (schema == Schema) return;
        if (schema.StartsWith(SchemaFamily, StringComparison.Ordinal))
            throw Invalid($"The machine document has schema version '{schema}', which this version of OomTools cannot read: it reads '{Schema}' only. Export it again with this version, or update OomTools.", schema);
        throw Invalid($"The JSON is not an OomTools machine: its schema is '{schema}', not '{Schema}'.", schema);
    }

    private static OomEngineException Invalid(string message, object? target) => new(OomError.InvalidArgument, message, target);

    /// <summary>The latest clock a document may carry: 100 years of uptime in nanoseconds, far from overflowing.</summary>
    public const long MaxClockNs = 100L * 36525 * 24 * 3600 * 10_000_000;

    /// <summary>Typed access to the document's members, with errors that name the member's path.</summary>
    private sealed class DocumentReader
    {
        private readonly JsonObject doc;
        // The mms read with the tasks, by their id in the document (shared objects name their mappers by it).
        // Each keeps a 64-bit digest of its fields, not their text: a million mms would otherwise hold their documents;
        // and the index of the task that described it first, not its path (made again for an error).
        private Dictionary<long, (MemoryDescriptor Mm, ulong Digest, int Task, string Member)> mmsById = new();
        // The index in tasks of the task being read: they are read in order, each once.
        private int taskIndex = -1;
        private readonly Dictionary<MemoryCgroup, List<int>> taskOrders = new();
        private int? globalInit;
        private SettableClock? logClock;
        private KernelLog? log;

        public DocumentReader(JsonObject doc) => this.doc = doc;

        public OomMachine Build()
        {
            var m = BuildMachine();
            ForEach(doc, "memoryCgroups", m, Cgroup);
            ForEach(doc, "cpusets", m, Cpuset);
            ForEach(doc, "tasks", m, Task);
            ForEach(doc, "shared", m, SharedObject);
            ForEach(doc, "log", m, LogEntry);
            return Finish(m);
        }

        private static void ForEach(JsonObject o, string name, OomMachine m, Action<OomMachine, JsonObject, object> read)
        {
            var list = Arr(o, name, "$", required: false);
            if (list is null) return;
            for (int i = 0; i < list.Count; i++) read(m, Item(list, i, "$." + name), $"$.{name}[{i}]");
        }

        /// <summary>The machine of the document's scalar members, nodes, sysctls and clock; no cgroup or task yet.</summary>
        public OomMachine BuildMachine()
        {
            int pageSize = (int)Int(doc, "pageSize", "$", 4096, int.MinValue, int.MaxValue);
            var ramPages = new Pages(Long(doc, "ramPages", "$", null));
            var swapPages = new Pages(Long(doc, "swapPages", "$", 0));
            var nodeSizes = ReadNodes();
            string name = Str(doc, "name", "$", "oom-machine")!;
            var cgVersion = (int)Int(doc, "cgroupVersion", "$", 2, 1, 2) == 1 ? CgroupVersion.V1 : CgroupVersion.V2;
            var state = Obj(doc, "state", "$", required: false);
            long clockNs = state is null ? 0 : Long(state, "clockNs", "$.state", 0);
            if (clockNs < 0) throw Invalid("$.state.clockNs cannot be negative.", clockNs);
            if (clockNs > MaxClockNs)
                throw Invalid($"$.state.clockNs {clockNs} is more than {MaxClockNs} ns (100 years of uptime): the clock could not move on without overflowing.", clockNs);

            var m = new OomMachine(ramPages, swapPages, pageSize, nodeSizes, name, cgVersion, new ManualClock(clockNs));
            m.UseKernel(Ver(doc, "kernelVersion", "$") ?? m.KernelVersion);
            if (Ver(doc, "scoringVersion", "$") is { } sv) m.Scoring = KernelRules.For(sv);
            m.Hz = (int)Int(doc, "hz", "$", 250, 1, 100_000);
            m.DefaultExitLatency = new Jiffies(NonNegative(doc, "defaultExitLatencyJiffies", "$", m.DefaultExitLatency.Value));
            if (Obj(doc, "sysctls", "$", required: false) is { } sys)
            {
                m.VmSwappiness = (int)Int(sys, "vm.swappiness", "$.sysctls", 60, 0, 200);
                m.PanicOnOom = (int)Int(sys, "vm.panic_on_oom", "$.sysctls", 0, 0, 2);
                m.OomKillAllocatingTask = Bool(sys, "vm.oom_kill_allocating_task", "$.sysctls", false);
                m.OomDumpTasks = Bool(sys, "vm.oom_dump_tasks", "$.sysctls", true);
            }
            m.UsedPages = NullablePages(doc, "usedPages", "$");
            m.SlabUnreclaimablePages = new Pages(NonNegative(doc, "slabUnreclaimablePages", "$", 0));
            m.LruPages = new Pages(NonNegative(doc, "lruPages", "$", 0));
            m.Log.Capacity = (int)Int(doc, "logCapacity", "$", KernelLog.DefaultCapacity, 1, int.MaxValue);
            return m;
        }

        /// <summary>What needs every task first: the cgroups' task order, the killer's state and the log.</summary>
        public OomMachine Finish(OomMachine m)
        {
            ApplyTaskOrders(m, taskOrders);
            ReadState(m, Obj(doc, "state", "$", required: false) ?? new JsonObject());
            if (log is not null) m.RestoreLog(log.CloneWith(m.Clock));
            return m;
        }

        private List<Pages>? ReadNodes()
        {
            var nodes = Arr(doc, "nodes", "$", required: false);
            if (nodes is null) return null;
            var sizes = new List<Pages>();
            for (int i = 0; i < nodes.Count; i++)
            {
                string at = $"$.nodes[{i}]";
                var n = Item(nodes, i, "$.nodes");
                long id = Long(n, "id", at, i);
                if (id != i) throw Invalid($"{at}.id is {id}: nodes are listed in id order from 0, so it must be {i}.", id);
                sizes.Add(new Pages(Long(n, "presentPages", at, null)));
            }
            return sizes.Count == 0 ? null : sizes;
        }

        /// <summary>One of <c>memoryCgroups</c>, in pre-order: its parent is listed before it.</summary>
        public void Cgroup(OomMachine m, JsonObject o, object at)
        {
            string path = CanonicalPath(Str(o, "path", at, null)!, at, m.RootMemcg.Path, p => m.FindCgroup(p) is not null, OomError.CgroupNotFound);
            bool root = path == "/";
            if (root) CheckRootCgroup(o, at);
            var cg = root ? m.RootMemcg : m.CreateCgroup(path);
            cg.MemoryMax = LimitOf(m, o, "memoryMax", at);
            cg.SwapMax = LimitOf(m, o, "swapMax", at);
            cg.MemswMax = LimitOf(m, o, "memswMax", at);
            cg.Swappiness = NullableInt(o, "swappiness", at, 0, 200);
            cg.OomGroup = Bool(o, "oomGroup", at, false);
            cg.Usage = NullablePages(o, "usage", at);
            cg.OomKillEvents = NonNegative(o, "oomKillEvents", at, 0);
            cg.OomGroupKillEvents = NonNegative(o, "oomGroupKillEvents", at, 0);
            cg.Oom = NonNegative(o, "oomEvents", at, 0);
            cg.OomKillDisable = Bool(o, "oomKillDisable", at, false);
            if (Arr(o, "taskOrder", at, required: false) is { } order)
                taskOrders[cg] = Pids(order, at + ".taskOrder");
        }

        /// <summary>One of <c>cpusets</c>, in pre-order.</summary>
        public void Cpuset(OomMachine m, JsonObject o, object at)
        {
            string path = CanonicalPath(Str(o, "path", at, null)!, at, "/", p => m.FindCpuset(p) is not null, OomError.CpusetNotFound);
            var mems = Mask(o, "mems", at);
            bool hardwall = Bool(o, "hardwall", at, false);
            if (OomMachine.NormalizePath(path) == "/")
            {
                m.RootCpuset.Mems = mems ?? m.NodesWithMemory;
                m.RootCpuset.Hardwall = !o.Has("hardwall") || hardwall;
            }
            else m.CreateCpuset(path, mems ?? throw Invalid($"{at}.mems is missing: a cpuset needs its memory nodes.", path), hardwall);
        }

        // The path of the mm being read, made into text only for an error (one object, reused).
        private readonly MemberPath mmPath = new();

        // The first appearance of an mm id makes it; later ones must repeat it exactly.
        private MemoryDescriptor? MmOf(JsonObject task, string member, object at)
        {
            var mms = mmsById;
            if (!task.TryGet(member, out var v) || v is null) return null;
            var where = mmPath.Of(at, member);
            if (v is not JsonObject o) throw Invalid($"{where} must be an object (or null).", member);
            long id = Long(o, "id", where, null);
            ulong digest = Json.Digest(o);
            if (mms.TryGetValue(id, out var known))
            {
                if (known.Digest != digest)
                    throw Invalid($"{where} has mm id {id} like $.tasks[{known.Task}].{known.Member}, but different fields: processes sharing an mm must describe it the same way.", id);
                return known.Mm;
            }
            var mm = new MemoryDescriptor
            {
                AnonPages = new Pages(NonNegative(o, "anonPages", where, 0)),
                FilePages = new Pages(NonNegative(o, "filePages", where, 0)),
                ShmemPages = new Pages(NonNegative(o, "shmemPages", where, 0)),
                SwapEntries = new Pages(NonNegative(o, "swapEntries", where, 0)),
                PageTableBytes = NonNegative(o, "pageTableBytes", where, 0),
                Flags = FlagsOf(o, where),
                MmapLockHeldForWrite = Bool(o, "mmapLockHeldForWrite", where, false),
                MmuNotifierBlocks = Bool(o, "mmuNotifierBlocks", where, false),
                MmapLockRelease = NullableJiffies(o, "mmapLockReleaseAt", where),
            };
            if (Arr(o, "vmas", where, required: false) is { } vmas)
            {
                for (int k = 0; k < vmas.Count; k++)
                {
                    string vat = $"{where}.vmas[{k}]";
                    var vma = Item(vmas, k, where + ".vmas");
                    string kindText = Str(vma, "kind", vat, null)!;
                    if (!Enum.TryParse<VmaKind>(kindText, ignoreCase: true, out var kind) || !Enum.IsDefined(typeof(VmaKind), kind))
                        throw Invalid($"{vat}.kind '{kindText}' is not a mapping kind ({string.Join(", ", Enum.GetNames(typeof(VmaKind)))}).", kindText);
                    mm.Vmas.Add(new Vma(kind, NonNegative(vma, "residentPages", vat, 0), NonNegative(vma, "swapPages", vat, 0), Bool(vma, "notifierBlocks", vat, false)));
                }
            }
            mm.TotalVm = new Pages(NonNegative(o, "totalVm", where, mm.AnonPages.Value + mm.FilePages.Value + mm.ShmemPages.Value + mm.SwapEntries.Value));
            mm.OwnerPid = (int)Int(o, "ownerPid", where, Int(task, "pid", at, null, 1, int.MaxValue), 1, int.MaxValue);
            mm.Users = (int)Int(o, "users", where, 1, 0, int.MaxValue);
            mms[id] = (mm, digest, taskIndex, member);
            return mm;
        }

        private readonly OomTaskSpec spec = new();

        // The cgroups' task orders, read before the tasks, count them (an mm each, mostly): the mm table is made that
        // big at once rather than grown through a dozen copies of a million entries.
        private void PresizeMms()
        {
            if (mmsById.Count > 0) return;
            long tasks = 0;
            foreach (var order in taskOrders.Values) tasks += order.Count;
            if (tasks > 0) mmsById = new((int)Math.Min(tasks, KernelLimits.PidMaxLimit));
        }

        /// <summary>One of <c>tasks</c>, in task-list order.</summary>
        public void Task(OomMachine m, JsonObject o, object at)
        {
            if (++taskIndex == 0) PresizeMms();
            int pid = (int)Int(o, "pid", at, null, 1, int.MaxValue);
            var threads = ReadThreads(o, at, pid);
            // One spec for every task (AddTask keeps nothing of it): each member is set again, in the document's order.
            var spec = this.spec;
            spec.Pid = pid;
            spec.Name = Str(o, "comm", at, null)!;
            spec.Uid = (int)Int(o, "uid", at, 0, 0, int.MaxValue);
            spec.OomScoreAdj = Adj(o, "oomScoreAdj", at);
            spec.OomScoreAdjMin = Adj(o, "oomScoreAdjMin", at);
            spec.Cgroup = Str(o, "cgroup", at, "/");
            spec.Cpuset = Str(o, "cpuset", at, "/");
            spec.MempolicyBind = Mask(o, "mempolicyBind", at);
            // Every thread "detached" so AddTask makes no mm: the document's mm is put in place below.
            spec.Threads = threads.Count;
            spec.ThreadIds = OtherTids(threads);
            spec.DetachedThreads = threads.Count;
            spec.KernelThread = Bool(o, "kernelThread", at, false);
            spec.GlobalInit = o.Has("globalInit") ? Bool(o, "globalInit", at, false) : null;
            spec.Exiting = Bool(o, "exiting", at, false);
            spec.GroupExiting = Bool(o, "groupExiting", at, false);
            spec.CoreDumping = Bool(o, "coreDumping", at, false);
            spec.InVfork = Bool(o, "inVfork", at, false);
            spec.OomOrigin = Bool(o, "oomOrigin", at, false);
            spec.Frozen = Bool(o, "frozen", at, false);
            var mm = MmOf(o, "mm", at);
            var oomMm = MmOf(o, "oomMm", at);
            int tgid = (int)Int(o, "tgid", at, pid, 1, int.MaxValue);
            // A process's tgid is its own pid: the leader's id names the thread group.
            if (tgid != pid) throw Invalid($"{at}.tgid is {tgid}, but the process has pid {pid}: a thread group is named by its leader, so tgid must be the pid.", tgid);
            var reaperTimer = NullableJiffies(o, "reaperTimerExpires", at);
            if (spec.GlobalInit ?? (pid == 1 && !spec.KernelThread))
            {
                if (globalInit is { } other)
                    throw Invalid($"{at} (pid {pid}) is a global init, and so is pid {other}: a machine has one init process (is_global_init).", pid);
                globalInit = pid;
            }

            OomTask task;
            try { task = m.AddTask(spec); }
            // The engine's own refusal (DuplicatePid, CgroupNotFound, ...), told where in the document it is.
            catch (OomEngineException e) { throw new OomEngineException(e.Error, $"{at} (pid {pid}): {e.Message}", e.Target); }
            task.Tgid = tgid;
            task.leaderHasMm = threads[0].HasMm;
            var others = threads.Count == 1 ? NoThreads : new OomThread[threads.Count - 1];
            for (int k = 1; k < threads.Count; k++) others[k - 1] = threads[k];
            m.ReplaceThreads(task, others);
            task.Mm = mm;
            task.OomMm = oomMm;
            task.MemDie = Bool(o, "memDie", at, false);
            task.ReaperTimer = reaperTimer;
            task.ExitLatency = NullableJiffies(o, "exitLatencyJiffies", at);
            task.CoreDumpEnd = NullableJiffies(o, "coreDumpUntil", at);
            if (o.Has("capSysAdmin")) task.CapSysAdmin = Bool(o, "capSysAdmin", at, false);
        }

        private static readonly OomThread[] NoThreads = new OomThread[0];

        private static int[] OtherTids(List<OomThread> threads)
        {
            if (threads.Count == 1) return NoTids;
            var tids = new int[threads.Count - 1];
            for (int k = 1; k < threads.Count; k++) tids[k - 1] = threads[k].Tid;
            return tids;
        }

        private static readonly int[] NoTids = new int[0];

        /// <summary>One of <c>shared</c>: after the tasks, whose mms it names.</summary>
        public void SharedObject(OomMachine m, JsonObject o, object at)
        {
            string name = Str(o, "name", at, null)!;
            string kindText = Str(o, "kind", at, null)!;
            if (!Enum.TryParse<SharedMemoryKind>(kindText, ignoreCase: true, out var kind) || !Enum.IsDefined(typeof(SharedMemoryKind), kind))
                throw Invalid($"{at}.kind '{kindText}' is not a kind of shared memory ({string.Join(", ", Enum.GetNames(typeof(SharedMemoryKind)))}).", kindText);
            long pages = NonNegative(o, "pages", at, null);
            var memcg = m.FindCgroup(Str(o, "cgroup", at, "/")!) ?? throw Invalid($"{at}.cgroup names a memory cgroup that is not among memoryCgroups.", name);
            bool linked = Bool(o, "linked", at, false);
            var mappers = new List<MemoryDescriptor>();
            if (Arr(o, "mappers", at, required: false) is { } ids)
            {
                for (int k = 0; k < ids.Count; k++)
                {
                    if (ids[k] is not long id || !mmsById.TryGetValue(id, out var known))
                        throw Invalid($"{at}.mappers[{k}] must be the id of an mm of the tasks; it is {Describe(ids[k])}.", ids[k]);
                    mappers.Add(known.Mm);
                }
            }
            if (mappers.Count == 0 && !linked)
                throw Invalid($"{at} '{name}' is mapped by no one and kept by no linked file: its pages would have been freed.", name);
            try
            {
                var obj = m.CreateShared(name, kind, new Pages(pages), memcg, linked);
                foreach (var mm in mappers) m.MapShared(mm, obj);
            }
            catch (OomEngineException e) when (e.Error != OomError.NegativeSize)
            {
                throw Invalid($"{at}: {e.Message}", name);
            }
        }

        // Reused task after task: the threads are copied out before the next task is read.
        private readonly List<OomThread> threads = new();
        private readonly HashSet<long> seenTids = new();

        private List<OomThread> ReadThreads(JsonObject task, object at, int pid)
        {
            threads.Clear();
            var list = Arr(task, "threads", at, required: false);
            if (list is { Count: 0 }) throw Invalid($"{at}.threads is empty (pid {pid}): a process has at least its leader thread.", pid);
            if (list is null)
            {
                threads.Add(new OomThread(pid, true));
                return threads;
            }
            seenTids.Clear();
            for (int i = 0; i < list.Count; i++)
            {
                // The thread's path is made only for an error: a million tasks have a million threads and more.
                if (list[i] is JsonObject t && IsWholeNumber(t, "tid") && IsBoolOrAbsent(t, "hasMm"))
                {
                    long tid = Long(t, "tid", "", null);
                    if (tid >= 1 && tid <= int.MaxValue && (i != 0 || tid == pid) && (list.Count == 1 || seenTids.Add(tid)))
                    {
                        threads.Add(new OomThread((int)tid, Bool(t, "hasMm", "", true)));
                        continue;
                    }
                }
                ReadThread(list, i, at, pid);
            }
            return threads;
        }

        // A thread that is not plainly right: read again with its path, for the error it gives.
        private void ReadThread(List<object?> list, int i, object at, int pid)
        {
            string where = $"{at}.threads[{i}]";
            var t = Item(list, i, at + ".threads");
            long tid = Int(t, "tid", where, i == 0 ? pid : null, 1, int.MaxValue);
            if (i == 0 && tid != pid) throw Invalid($"{where}.tid is {tid}: the first thread is the leader, whose tid is the pid {pid}.", tid);
            if (!seenTids.Add(tid)) throw Invalid($"{where}.tid {tid} appears twice in one process.", tid);
            threads.Add(new OomThread((int)tid, Bool(t, "hasMm", where, true)));
        }

        private static bool IsWholeNumber(JsonObject o, string name) => o.TryGet(name, out var v) && v is long;

        private static bool IsBoolOrAbsent(JsonObject o, string name) => !o.TryGet(name, out var v) || v is null or bool;

        private static void ApplyTaskOrders(OomMachine m, Dictionary<MemoryCgroup, List<int>> orders)
        {
            foreach (var pair in orders)
            {
                var cg = pair.Key;
                var wanted = pair.Value;
                if (InOrder(cg.tasks, wanted)) continue; // as written: the pids, each once, in the order they are
                var have = new Dictionary<int, OomTask>();
                foreach (var t in cg.tasks) have[t.Pid] = t;
                if (wanted.Count != have.Count || !wanted.TrueForAll(have.ContainsKey) || new HashSet<int>(wanted).Count != wanted.Count)
                    throw Invalid($"The taskOrder of memory cgroup '{cg.Path}' ({string.Join(",", wanted)}) must list exactly the pids of the processes in it ({string.Join(",", have.Keys)}).", cg.Path);
                cg.tasks.Clear();
                foreach (var pid in wanted) cg.tasks.Add(have[pid]);
            }
        }

        private static bool InOrder(IReadOnlyCollection<OomTask> tasks, List<int> pids)
        {
            if (tasks.Count != pids.Count) return false;
            int i = 0;
            foreach (var t in tasks)
                if (t.Pid != pids[i++]) return false;
            return true;
        }

        private static void ReadState(OomMachine m, JsonObject state)
        {
            const string at = "$.state";
            m.NextPid = (int)Int(state, "nextPid", at, m.NextPid, 1, int.MaxValue);
            m.OomKillerDisabled = Bool(state, "oomKillerDisabled", at, false);
            int memDie = 0;
            foreach (var t in m.Tasks) if (t.MemDie) memDie++;
            m.OomVictims = (int)Int(state, "oomVictims", at, memDie, 0, int.MaxValue);
            m.OomKillCount = NonNegative(state, "oomKillCount", at, 0);
            // Only in documents of host snapshots (Get-OomSnapshot read /proc/vmstat); absent means not read.
            m.VmstatOomKill = state.TryGet("vmstatOomKill", out var vmstat) && vmstat is not null ? NonNegative(state, "vmstatOomKill", at, null) : null;
            m.PanicMessage = Str(state, "panicMessage", at, null, allowNull: true);
            if (Arr(state, "oomReaperList", at, required: false) is { } reaper)
            {
                var tasks = new List<OomTask>();
                foreach (var pid in Pids(reaper, at + ".oomReaperList"))
                    tasks.Add(m.FindTask(pid) ?? throw Invalid($"{at}.oomReaperList names pid {pid}, which is not among the tasks.", pid));
                var thread = m.OomReaperThread ??= new OomReaperThread();
                thread.List.Clear();
                for (int i = tasks.Count - 1; i >= 0; i--) thread.List.Push(tasks[i]);
            }
            if (Obj(state, "timeline", at, required: false) is { } timeline) ReadTimeline(m, timeline, at + ".timeline");
        }

        private static void ReadTimeline(OomMachine m, JsonObject timeline, object at)
        {
            var items = new List<Pending>();
            if (Arr(timeline, "pending", at, required: false) is { } list)
            {
                for (int i = 0; i < list.Count; i++)
                {
                    string where = $"{at}.pending[{i}]";
                    var p = Item(list, i, at + ".pending");
                    int pid = (int)Int(p, "pid", where, null, 1, int.MaxValue);
                    var task = m.FindTask(pid) ?? throw Invalid($"{where}.pid {pid} is not among the tasks.", pid);
                    string kind = Str(p, "kind", where, null)!;
                    if (Array.IndexOf(PendingKindNames, kind) < 0)
                        throw Invalid($"{where}.kind '{kind}' is not a timeline event ({string.Join(", ", PendingKindNames)}).", kind);
                    items.Add(new Pending(new Jiffies(Long(p, "at", where, null)), NonNegative(p, "seq", where, i), (PendingKind)Enum.Parse(typeof(PendingKind), kind), task, (int)Int(p, "attempt", where, 0, 0, int.MaxValue)));
                }
            }
            long nextSeq = NonNegative(timeline, "nextSeq", at, items.Count);
            OomTask? reaping = null;
            if (NullableLong(timeline, "reaping", at) is { } rp)
                reaping = m.FindTask((int)rp) ?? throw Invalid($"{at}.reaping names pid {rp}, which is not among the tasks.", rp);
            m.Pending.Restore(items, nextSeq);
            if (reaping is not null || m.OomReaperThread is not null) (m.OomReaperThread ??= new OomReaperThread()).BusyWith = reaping;
        }

        /// <summary>One of <c>log</c>, oldest first.</summary>
        public void LogEntry(OomMachine m, JsonObject e, object at)
        {
            logClock ??= new SettableClock();
            // The entries are read into the capacity the header gave (a log larger than the default keeps them all).
            log ??= new KernelLog(logClock) { Capacity = m.Log.Capacity };
            logClock.Nanoseconds = NonNegative(e, "ns", at, 0);
            string levelText = Str(e, "level", at, "Info")!;
            if (!Enum.TryParse<KernelLogLevel>(levelText, ignoreCase: true, out var level) || !Enum.IsDefined(typeof(KernelLogLevel), level))
                throw Invalid($"{at}.level '{levelText}' is not a log level ({string.Join(", ", Enum.GetNames(typeof(KernelLogLevel)))}).", levelText);
            log.Write(level, Str(e, "text", at, null)!);
        }

        /// <summary>
        /// A cgroup's path as the document lists it: canonical (<c>/</c>, or <c>/a/b</c> without empty, <c>.</c> or
        /// <c>..</c> parts or a trailing <c>/</c>) and under a parent listed before it.
        /// </summary>
        private static string CanonicalPath(string path, object at, string rootPath, Func<string, bool> exists, OomError notFound)
        {
            if (path == rootPath) return path;
            var parts = path.Split('/');
            bool canonical = path.Length > 1 && parts[0].Length == 0;
            for (int k = 1; canonical && k < parts.Length; k++)
                canonical = parts[k].Length > 0 && parts[k] != "." && parts[k] != ".." && parts[k].Trim().Length == parts[k].Length;
            if (!canonical)
                throw Invalid($"{at}.path '{path}' is not a canonical cgroup path ('/', or '/a/b': no empty, '.' or '..' parts, no trailing '/', no spaces around a name), as this version writes it.", path);
            string parent = path.Substring(0, path.LastIndexOf('/'));
            if (parent.Length == 0) parent = "/";
            if (!exists(parent))
                throw new OomEngineException(notFound, $"{at}.path '{path}': its parent '{parent}' is not listed before it (cgroups are listed parents first).", path);
            return path;
        }

        /// <summary>The root memory cgroup has no limits, no oom.group and no oom_kill_disable to set.</summary>
        private static void CheckRootCgroup(JsonObject o, object at)
        {
            foreach (var limit in new[] { "memoryMax", "swapMax", "memswMax" })
            {
                var v = Get(o, limit, at, false);
                if (v is not null && !(v is string s && s == Unlimited))
                    throw Invalid($"{at}.{limit} is {Describe(v)}: the root memory cgroup has no limit (it must be \"{Unlimited}\").", limit);
            }
            if (Bool(o, "oomGroup", at, false)) throw Invalid($"{at}.oomGroup is true: the root memory cgroup has no memory.oom.group.", "oomGroup");
            if (Bool(o, "oomKillDisable", at, false)) throw Invalid($"{at}.oomKillDisable is true: the root memory cgroup's oom_kill_disable cannot be set.", "oomKillDisable");
        }

        /// <summary>A member's path (<c>$.tasks[3].mm</c>): its text is made only when an error names it.</summary>
        private sealed class MemberPath
        {
            private object parent = "$";
            private string member = "";

            public MemberPath Of(object parent, string member)
            {
                this.parent = parent;
                this.member = member;
                return this;
            }

            public override string ToString() => parent + "." + member;
        }

        private sealed class SettableClock : IClock
        {
            public long Nanoseconds { get; set; }
        }

        #region Typed members
        private static object? Get(JsonObject o, string name, object at, bool required)
        {
            if (o.TryGet(name, out var v)) return v;
            if (required) throw Invalid($"{at}.{name} is missing.", name);
            return null;
        }

        private static long Long(JsonObject o, string name, object at, long? fallback)
        {
            var v = Get(o, name, at, fallback is null);
            if (v is null && o.Has(name) && fallback is null) throw Invalid($"{at}.{name} cannot be null.", name);
            return v switch
            {
                null => fallback!.Value,
                long l => l,
                _ => throw Invalid($"{at}.{name} must be a whole number within ±9223372036854775807; it is {Describe(v)}.", name),
            };
        }

        private static long Int(JsonObject o, string name, object at, long? fallback, long min, long max)
        {
            long v = Long(o, name, at, fallback);
            if (v < min || v > max) throw Invalid($"{at}.{name} must be between {min} and {max}; {v} is not.", v);
            return v;
        }

        private static long NonNegative(JsonObject o, string name, object at, long? fallback)
        {
            long v = Long(o, name, at, fallback);
            if (v < 0) throw new OomEngineException(OomError.NegativeSize, $"{at}.{name} cannot be negative ({v}).", v);
            return v;
        }

        private static long? NullableLong(JsonObject o, string name, object at) =>
            o.TryGet(name, out var v) && v is not null ? Long(o, name, at, null) : null;

        private static Jiffies? NullableJiffies(JsonObject o, string name, object at) =>
            NullableLong(o, name, at) is { } v ? new Jiffies(v) : null;

        private static Pages? NullablePages(JsonObject o, string name, object at) =>
            o.TryGet(name, out var v) && v is not null ? new Pages(NonNegative(o, name, at, null)) : null;

        private static int? NullableInt(JsonObject o, string name, object at, int min, int max) =>
            o.TryGet(name, out var v) && v is not null ? (int)Int(o, name, at, null, min, max) : null;

        private static bool Bool(JsonObject o, string name, object at, bool fallback) => Get(o, name, at, false) switch
        {
            null => fallback,
            bool b => b,
            var v => throw Invalid($"{at}.{name} must be true or false; it is {Describe(v)}.", name),
        };

        private static string? Str(JsonObject o, string name, object at, string? fallback, bool allowNull = false)
        {
            var v = Get(o, name, at, fallback is null && !allowNull);
            return v switch
            {
                null when allowNull || fallback is not null => fallback,
                null => throw Invalid($"{at}.{name} cannot be null.", name),
                string s => s,
                _ => throw Invalid($"{at}.{name} must be a string; it is {Describe(v)}.", name),
            };
        }

        private static JsonObject? Obj(JsonObject o, string name, object at, bool required) => Get(o, name, at, required) switch
        {
            null => required ? throw Invalid($"{at}.{name} cannot be null.", name) : null,
            JsonObject x => x,
            var v => throw Invalid($"{at}.{name} must be an object; it is {Describe(v)}.", name),
        };

        private static List<object?>? Arr(JsonObject o, string name, object at, bool required) => Get(o, name, at, required) switch
        {
            null => required ? throw Invalid($"{at}.{name} cannot be null.", name) : null,
            List<object?> x => x,
            var v => throw Invalid($"{at}.{name} must be an array; it is {Describe(v)}.", name),
        };

        private static JsonObject Item(List<object?> list, int i, object at) =>
            list[i] as JsonObject ?? throw Invalid($"{at}[{i}] must be an object; it is {Describe(list[i])}.", i);

        private static List<int> Pids(List<object?> list, object at)
        {
            var pids = new List<int>(list.Count);
            for (int i = 0; i < list.Count; i++)
            {
                if (list[i] is long l && l >= 1 && l <= int.MaxValue) pids.Add((int)l);
                else throw Invalid($"{at}[{i}] must be a pid (a positive whole number); it is {Describe(list[i])}.", list[i]);
            }
            return pids;
        }

        private static Version? Ver(JsonObject o, string name, object at)
        {
            var s = Str(o, name, at, null, allowNull: true);
            if (s is null) return null;
            if (!Version.TryParse(s, out var v)) throw Invalid($"{at}.{name} '{s}' is not a version such as 6.12.", s);
            return v;
        }

        private static OomScoreAdj Adj(JsonObject o, string name, object at) =>
            OomScoreAdj.From((int)Int(o, name, at, 0, OomScoreAdj.MinValue, OomScoreAdj.MaxValue));

        private static NodeMask? Mask(JsonObject o, string name, object at)
        {
            var s = Str(o, name, at, null, allowNull: true);
            if (s is null) return null;
            try { return NodeMask.Parse(s); }
            catch (FormatException e) { throw Invalid($"{at}.{name}: {e.Message}", s); }
        }

        private static Pages LimitOf(OomMachine m, JsonObject o, string name, object at)
        {
            var v = Get(o, name, at, false);
            if (v is null || (v is string s && s == Unlimited)) return m.PageCounterMax;
            if (v is long l)
            {
                if (l < 0) throw new OomEngineException(OomError.NegativeSize, $"{at}.{name} cannot be negative ({l}).", l);
                return new Pages(Math.Min(l, m.PageCounterMax.Value));
            }
            throw Invalid($"{at}.{name} must be a number of pages or \"{Unlimited}\"; it is {Describe(v)}.", name);
        }

        private static MmFlags FlagsOf(JsonObject o, object at)
        {
            var list = Arr(o, "flags", at, required: false);
            if (list is null) return MmFlags.None;
            long bits = 0;
            for (int i = 0; i < list.Count; i++)
            {
                switch (list[i])
                {
                    case string s when Enum.TryParse<MmFlags>(s, ignoreCase: true, out var f) && Enum.IsDefined(typeof(MmFlags), f):
                        bits |= (long)f;
                        break;
                    case long l:
                        bits |= l;
                        break;
                    default:
                        throw Invalid($"{at}.flags[{i}] {Describe(list[i])} is not an mm flag ({string.Join(", ", Enum.GetNames(typeof(MmFlags)))}).", list[i]);
                }
            }
            return (MmFlags)bits;
        }

        public static string Describe(object? v) => v switch
        {
            null => "null",
            string s => "the string \"" + (s.Length > 40 ? s.Substring(0, 40) + "..." : s) + "\"",
            bool b => b ? "true" : "false",
            long l => l.ToString(CultureInfo.InvariantCulture),
            JsonNumber n => n.Text,
            JsonObject => "an object",
            List<object?> => "an array",
            _ => v.ToString() ?? "?",
        };
        #endregion
    }
    #endregion

    /// <summary>
    /// Reference identity for the mm table (netstandard2.0 has no ReferenceEqualityComparer), hashed by the mm's owner
    /// and sizes rather than the object's identity hash: the first identity hash of each of a million mms was a
    /// tenth of an export. Nothing changes an mm while the machine is written, so its hash stays the same. (Only the
    /// mms <see cref="MmIds"/> cannot place by their owner's pid come here.)
    /// </summary>
    private sealed class ReferenceEqualityComparer : IEqualityComparer<MemoryDescriptor>
    {
        public static readonly ReferenceEqualityComparer Instance = new();
        public bool Equals(MemoryDescriptor? x, MemoryDescriptor? y) => ReferenceEquals(x, y);
        public int GetHashCode(MemoryDescriptor obj) =>
            unchecked(((obj.OwnerPid * 397) ^ obj.AnonPages.Value.GetHashCode()) * 397 ^ obj.FilePages.Value.GetHashCode());
    }
}
