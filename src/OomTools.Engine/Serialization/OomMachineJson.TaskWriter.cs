using System.Collections.Generic;
using System.IO;
using System.Linq;
using OomTools.Engine.Model;

namespace OomTools.Engine.Serialization;

public static partial class OomMachineJson
{
    /// <summary>
    /// The <c>tasks</c> array, written straight into a character buffer: the same text as a <see cref="JsonObject"/>
    /// per task (and per mm) would give, without making one. A million tasks are a gigabyte of text; every object,
    /// boxed number and writer call per member showed up in its time.
    /// </summary>
    private sealed class TaskArray : JsonStreamedArray
    {
        private static readonly string[] TaskMembers =
        {
            "pid", "tgid", "comm", "uid", "oomScoreAdj", "oomScoreAdjMin", "cgroup", "cpuset", "mempolicyBind",
            "kernelThread", "globalInit", "exiting", "groupExiting", "coreDumping", "inVfork", "oomOrigin", "frozen",
            "memDie", "reaperTimerExpires", "exitLatencyJiffies", "coreDumpUntil", "threads", "mm", "oomMm", "capSysAdmin",
        };

        private static readonly string[] MmMembers =
        {
            "id", "ownerPid", "users", "anonPages", "filePages", "shmemPages", "swapEntries", "pageTableBytes", "totalVm",
            "flags", "mmapLockHeldForWrite", "mmapLockReleaseAt", "mmuNotifierBlocks", "vmas",
        };

        private readonly OomMachine m;
        private readonly TreePaths<MemoryCgroup> memcgPaths;
        private readonly TreePaths<Cpuset> cpusetPaths;
        private readonly MmIds mmIds;
        // Each member's line start ("\n" or ",\n", the indentation, the quoted name and ": "), for one indentation.
        private string[] taskLines = null!, mmLines = null!;
        private string taskEnd = null!, mmEnd = null!, threadsEnd = null!, threadStart = null!, firstThreadStart = null!;
        // Runs of members most tasks write the same way, put together once: one copy each instead of a dozen writes.
        private string taskStart = null!, mmStart = null!, noFlags = null!, noTimers = null!, plainMmEnd = null!, noOomMmEnd = null!;
        // The cgroup and cpuset members with the paths of the last task (tasks come grouped by cgroup, mostly).
        private string placeText = "";
        private string? placeMemcg, placeCpuset;

        public TaskArray(OomMachine m, TreePaths<MemoryCgroup> memcgPaths, TreePaths<Cpuset> cpusetPaths, MmIds mmIds)
        {
            this.m = m;
            this.memcgPaths = memcgPaths;
            this.cpusetPaths = cpusetPaths;
            this.mmIds = mmIds;
        }

        public override bool IsEmpty => m.Tasks.Count == 0;

        public override void WriteItems(TextWriter writer, int itemIndent)
        {
            taskLines = MemberLines(TaskMembers, itemIndent + 2);
            mmLines = MemberLines(MmMembers, itemIndent + 4);
            taskEnd = "\n" + new string(' ', itemIndent) + "}";
            mmEnd = "\n" + new string(' ', itemIndent + 2) + "}";
            threadStart = ",\n" + new string(' ', itemIndent + 4) + "{\"tid\": ";
            firstThreadStart = threadStart.Substring(1);
            threadsEnd = "\n" + new string(' ', itemIndent + 2) + "]";
            taskStart = "{" + taskLines[0];
            mmStart = "{" + mmLines[0];
            noFlags = string.Concat(Enumerable.Range(9, 9).Select(k => taskLines[k] + "false"));
            noTimers = taskLines[18] + "null" + taskLines[19] + "null" + taskLines[20] + "null";
            plainMmEnd = mmLines[9] + "[]" + mmLines[10] + "false" + mmLines[11] + "null" + mmLines[12] + "false" + mmLines[13] + "[]" + mmEnd;
            noOomMmEnd = taskLines[23] + "null" + taskEnd;
            var buf = new JsonTextBuffer();
            bool first = true;
            MemoryCgroup? lastMemcg = null;
            Cpuset? lastCpuset = null;
            string memcgPath = "", cpusetPath = "";
            foreach (var t in m.Tasks)
            {
                Json.ItemStart(buf, first, itemIndent);
                first = false;
                if (!ReferenceEquals(t.Memcg, lastMemcg)) memcgPath = memcgPaths.Of(lastMemcg = t.Memcg);
                if (!ReferenceEquals(t.Cpuset, lastCpuset)) cpusetPath = cpusetPaths.Of(lastCpuset = t.Cpuset);
                Task(buf, t, memcgPath, cpusetPath, itemIndent);
                if (buf.Length >= 16 * 1024) buf.MoveTo(writer);
            }
            buf.MoveTo(writer);
        }

        private static string[] MemberLines(string[] names, int indent)
        {
            var lines = new string[names.Length];
            string pad = new(' ', indent);
            for (int i = 0; i < names.Length; i++) lines[i] = (i == 0 ? "\n" : ",\n") + pad + "\"" + names[i] + "\": ";
            return lines;
        }

        private void Task(JsonTextBuffer b, OomTask t, string memcgPath, string cpusetPath, int indent)
        {
            var l = taskLines;
            b.Write(taskStart); b.WriteNumber(t.Pid);
            b.Write(l[1]); b.WriteNumber(t.Tgid);
            b.Write(l[2]); Json.WriteString(b, t.Comm);
            b.Write(l[3]); b.WriteNumber(t.Uid);
            b.Write(l[4]); b.WriteNumber(t.OomScoreAdj.Value);
            b.Write(l[5]); b.WriteNumber(t.OomScoreAdjMin.Value);
            b.Write(Place(memcgPath, cpusetPath));
            if (t.MempolicyBind is { } bind) Json.WriteString(b, bind.ToString()); else b.Write("null");
            if (!(t.IsKernelThread | t.IsGlobalInit | t.Exiting | t.GroupExiting | t.CoreDumping | t.InVfork | t.OomOrigin | t.Frozen | t.MemDie))
                b.Write(noFlags);
            else
            {
                b.Write(l[9]); b.WriteBool(t.IsKernelThread);
                b.Write(l[10]); b.WriteBool(t.IsGlobalInit);
                b.Write(l[11]); b.WriteBool(t.Exiting);
                b.Write(l[12]); b.WriteBool(t.GroupExiting);
                b.Write(l[13]); b.WriteBool(t.CoreDumping);
                b.Write(l[14]); b.WriteBool(t.InVfork);
                b.Write(l[15]); b.WriteBool(t.OomOrigin);
                b.Write(l[16]); b.WriteBool(t.Frozen);
                b.Write(l[17]); b.WriteBool(t.MemDie);
            }
            if (t.ReaperTimer is null && t.ExitLatency is null && t.CoreDumpEnd is null) b.Write(noTimers);
            else
            {
                b.Write(l[18]); NullableNumber(b, t.ReaperTimer?.Value);
                b.Write(l[19]); NullableNumber(b, t.ExitLatency?.Value);
                b.Write(l[20]); NullableNumber(b, t.CoreDumpEnd?.Value);
            }
            b.Write(l[21]); Threads(b, t);
            b.Write(l[22]); Mm(b, t.Mm, indent + 2);
            if (t.OomMm is null && t.CapSysAdmin is null)
            {
                b.Write(noOomMmEnd);
                return;
            }
            b.Write(l[23]); Mm(b, t.OomMm, indent + 2);
            // Written only when known, so a machine without it exports as before.
            if (t.CapSysAdmin is { } cap) { b.Write(l[24]); b.WriteBool(cap); }
            b.Write(taskEnd);
        }

        // The cgroup and cpuset members and the start of mempolicyBind's, for these paths.
        private string Place(string memcgPath, string cpusetPath)
        {
            if (ReferenceEquals(memcgPath, placeMemcg) && ReferenceEquals(cpusetPath, placeCpuset)) return placeText;
            var text = new JsonTextBuffer();
            text.Write(taskLines[6]); Json.WriteString(text, memcgPath);
            text.Write(taskLines[7]); Json.WriteString(text, cpusetPath);
            text.Write(taskLines[8]);
            var piece = new StringWriter();
            text.MoveTo(piece);
            placeMemcg = memcgPath;
            placeCpuset = cpusetPath;
            return placeText = piece.ToString();
        }

        private static void NullableNumber(JsonTextBuffer b, long? value)
        {
            if (value is { } v) b.WriteNumber(v); else b.Write("null");
        }

        // One thread fits on the line ([{"tid": 1, "hasMm": true}]); two or more never do, so each gets its own.
        private void Threads(JsonTextBuffer b, OomTask t)
        {
            var others = t.otherThreads;
            if (others.Length == 0)
            {
                b.Write("[{\"tid\": ");
                b.WriteNumber(t.Pid);
                b.Write(", \"hasMm\": ");
                b.WriteBool(t.leaderHasMm);
                b.Write("}]");
                return;
            }
            b.Write('[');
            Thread(b, firstThreadStart, t.Pid, t.leaderHasMm);
            foreach (var th in others) Thread(b, threadStart, th.Tid, th.HasMm);
            b.Write(threadsEnd);
        }

        private static void Thread(JsonTextBuffer b, string start, int tid, bool hasMm)
        {
            b.Write(start);
            b.WriteNumber(tid);
            b.Write(", \"hasMm\": ");
            b.WriteBool(hasMm);
            b.Write('}');
        }

        // mm ids in order of first appearance along the task list (mm before oom_mm).
        private void Mm(JsonTextBuffer b, MemoryDescriptor? mm, int indent)
        {
            if (mm is null)
            {
                b.Write("null");
                return;
            }
            long id = mmIds.IdOf(mm);
            var l = mmLines;
            b.Write(mmStart); b.WriteNumber(id);
            b.Write(l[1]); b.WriteNumber(mm.OwnerPid);
            b.Write(l[2]); b.WriteNumber(mm.Users);
            b.Write(l[3]); b.WriteNumber(mm.AnonPages.Value);
            b.Write(l[4]); b.WriteNumber(mm.FilePages.Value);
            b.Write(l[5]); b.WriteNumber(mm.ShmemPages.Value);
            b.Write(l[6]); b.WriteNumber(mm.SwapEntries.Value);
            b.Write(l[7]); b.WriteNumber(mm.PageTableBytes);
            b.Write(l[8]); b.WriteNumber(mm.TotalVm.Value);
            if (mm.Flags == MmFlags.None && !mm.MmapLockHeldForWrite && mm.MmapLockRelease is null && !mm.MmuNotifierBlocks && mm.vmas is not { Count: > 0 })
            {
                b.Write(plainMmEnd);
                return;
            }
            b.Write(l[9]);
            if (mm.Flags == MmFlags.None) b.Write("[]");
            else Json.WriteValue(b, Flags(mm.Flags), indent + 2);
            b.Write(l[10]); b.WriteBool(mm.MmapLockHeldForWrite);
            b.Write(l[11]); NullableNumber(b, mm.MmapLockRelease?.Value);
            b.Write(l[12]); b.WriteBool(mm.MmuNotifierBlocks);
            b.Write(l[13]);
            if (mm.vmas is not { Count: > 0 } vmas) b.Write("[]");
            else Json.WriteValue(b, Map(vmas, v => new JsonObject()
                .Add("kind", v.Kind.ToString())
                .Add("residentPages", v.ResidentPages)
                .Add("swapPages", v.SwapPages)
                .Add("notifierBlocks", v.NotifierBlocks)), indent + 2);
            b.Write(mmEnd);
        }
    }
}
