using System;
using System.Collections.Generic;
using System.IO;
using OomTools.Engine.Model;

namespace OomTools.Engine.Serialization;

/// <summary>The machine document read as a stream: one cgroup, task, shared object or log entry at a time.</summary>
public static partial class OomMachineJson
{
    // The members a machine is built from before its cgroups and tasks: all of them come first in a written document.
    private static readonly HashSet<string> HeaderMembers = new(StringComparer.Ordinal)
    {
        "schema", "name", "pageSize", "ramPages", "swapPages", "nodes", "kernelVersion", "scoringVersion", "hz",
        "defaultExitLatencyJiffies", "cgroupVersion", "sysctls", "usedPages", "slabUnreclaimablePages", "lruPages", "logCapacity", "state",
    };

    // The arrays read item by item, and those that must be read before each (a task names its cgroup and cpuset,
    // a shared object the mms of the tasks).
    private static readonly Dictionary<string, string[]> StreamedArrays = new(StringComparer.Ordinal)
    {
        ["memoryCgroups"] = Array.Empty<string>(),
        ["cpusets"] = Array.Empty<string>(),
        ["tasks"] = new[] { "memoryCgroups", "cpusets" },
        ["shared"] = new[] { "memoryCgroups", "tasks" },
        ["log"] = Array.Empty<string>(),
    };

    // Every member name the reader looks up, and the values "/" and "max": the character reader returns these very
    // (interned) strings, so a lookup matches by reference. A task's and an mm's members come last, to win a shared slot.
    private static readonly string[] KnownNames =
    {
        "at", "attempt", "cgroupVersion", "clockNs", "cpusets", "defaultExitLatencyJiffies", "hardwall", "hz",
        "kernelVersion", "kind", "level", "linked", "log", "logCapacity", "lruPages", "mappers", "memoryCgroups",
        "mems", "name", "nextPid", "nextSeq", "nodes", "notifierBlocks", "ns", "oomEvents", "oomGroup",
        "oomGroupKillEvents", "oomKillCount", "oomKillDisable", "oomKillEvents", "oomKillerDisabled", "oomReaperList",
        "oomVictims", "pageSize", "pages", "panicMessage", "path", "pending", "presentPages", "ramPages", "reaping",
        "residentPages", "schema", "scoringVersion", "seq", "shared", "slabUnreclaimablePages", "state", "swapPages",
        "swappiness", "sysctls", "taskOrder", "tasks", "text", "timeline", "usage", "usedPages", "vm.oom_dump_tasks",
        "vm.oom_kill_allocating_task", "vm.panic_on_oom", "vm.swappiness", "vmstatOomKill", "/", "max", "pid", "tgid",
        "comm", "uid", "oomScoreAdj", "oomScoreAdjMin", "cgroup", "cpuset", "mempolicyBind", "kernelThread",
        "globalInit", "exiting", "groupExiting", "coreDumping", "inVfork", "oomOrigin", "frozen", "memDie",
        "reaperTimerExpires", "exitLatencyJiffies", "coreDumpUntil", "threads", "mm", "oomMm", "capSysAdmin", "tid",
        "hasMm", "id", "ownerPid", "users", "anonPages", "filePages", "shmemPages", "swapEntries", "pageTableBytes",
        "totalVm", "flags", "mmapLockHeldForWrite", "mmapLockReleaseAt", "mmuNotifierBlocks", "vmas",
    };

    /// <summary>
    /// Rebuilds the machine of the document <paramref name="open"/> reads, as <see cref="Read(string)"/> does, holding
    /// one task at a time rather than the whole document: a document as this version writes it (every top-level
    /// member before the cgroups, cgroups and cpusets before the tasks) is read in one pass, in memory proportional
    /// to the machine it makes. A document in another order is read again whole (<paramref name="open"/> is called a
    /// second time), so any order of members is still read.
    /// </summary>
    /// <param name="open">Opens the document from its start; called once, or twice for a document in another order.</param>
    public static OomMachine Read(Func<TextReader> open)
    {
        if (open is null) throw new ArgumentNullException(nameof(open));
        using (var reader = open())
        {
            var machine = TryReadStreaming(new JsonCharReader(reader, KnownNames));
            if (machine is not null) return machine;
        }
        using var again = open();
        return ReadWhole(again.ReadToEnd());
    }

    /// <summary>Thrown when the document is not in the order one pass can read.</summary>
    private sealed class NotInStreamOrder : Exception
    {
    }

    /// <summary>The machine, or null when the document must be read whole.</summary>
    private static OomMachine? TryReadStreaming(JsonCharReader r)
    {
        r.SkipByteOrderMark();
        r.SkipWhitespace();
        if (r.Peek() != '{')
        {
            // Not an object: refused as the whole reading refuses it, without reading an endless source twice.
            r.ReadValue(0);
            r.SkipWhitespace();
            if (!r.AtEnd) throw r.Error("there is more text after the end of the JSON document");
            throw Invalid("The JSON is not an OomTools machine: it is not an object with \"schema\": \"" + Schema + "\".", "$");
        }
        r.Expect('{', "expected '{'");
        var header = new JsonObject();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        DocumentReader? reader = null;
        OomMachine? m = null;
        bool complete = false;
        try
        {
            r.SkipWhitespace();
            if (!r.TryTake('}'))
            {
                while (true)
                {
                    r.SkipWhitespace();
                    if (r.Peek() != '"') throw r.Error("expected a member name in double quotes");
                    var at = r.Mark;
                    var name = r.ReadString();
                    r.SkipWhitespace();
                    r.Expect(':', "expected ':' after a member name");
                    r.SkipWhitespace();
                    if (!seen.Add(name))
                    {
                        r.ReadValue(1);
                        throw JsonCharReader.ErrorAt(at, $"the member \"{name}\" appears twice in one object");
                    }
                    if (StreamedArrays.TryGetValue(name, out var before))
                    {
                        foreach (var b in before)
                            if (!seen.Contains(b)) throw new NotInStreamOrder();
                        if (m is null)
                        {
                            CheckSchema(header);
                            complete = HeaderMembers.IsSubsetOf(seen);
                            reader = new DocumentReader(header);
                            m = reader.BuildMachine();
                        }
                        ReadArray(r, name, m, reader!);
                    }
                    else if (HeaderMembers.Contains(name))
                    {
                        if (m is not null) throw new NotInStreamOrder();
                        header.Add(name, r.ReadValue(1));
                    }
                    else r.ReadValue(1); // a member this version does not know is skipped, as the whole reading does
                    if (r.EndOfMember('}', "an object")) break;
                }
            }
            r.SkipWhitespace();
            if (!r.AtEnd) throw r.Error("there is more text after the end of the JSON document");
            if (m is null)
            {
                CheckSchema(header);
                reader = new DocumentReader(header);
                m = reader.BuildMachine();
            }
            return reader!.Finish(m);
        }
        catch (NotInStreamOrder) { return null; }
        // A hand-written document that lacks some of the first members: its error is the one the whole reading gives.
        catch (Exception e) when (!complete && e is OomEngineException or FormatException) { return null; }
    }

    private static void ReadArray(JsonCharReader r, string name, OomMachine m, DocumentReader reader)
    {
        Action<OomMachine, JsonObject, object> read = name switch
        {
            "memoryCgroups" => reader.Cgroup,
            "cpusets" => reader.Cpuset,
            "tasks" => reader.Task,
            "shared" => reader.SharedObject,
            _ => reader.LogEntry,
        };
        if (r.Peek() != '[')
        {
            // null (absent) is read as the whole reading does; anything else is refused the same way.
            var value = r.ReadValue(1);
            if (value is not null) throw Invalid($"$.{name} must be an array; it is {DocumentReader.Describe(value)}.", name);
            return;
        }
        r.Expect('[', "expected '['");
        r.SkipWhitespace();
        if (r.TryTake(']')) return;
        var at = new ItemPath(name);
        for (int i = 0; ; i++)
        {
            r.SkipWhitespace();
            // The item is done with before the next is read: its objects and arrays are reused.
            r.Recycle();
            var item = r.ReadValue(2);
            if (item is not JsonObject o) throw Invalid($"$.{name}[{i}] must be an object; it is {DocumentReader.Describe(item)}.", i);
            // The item's path is an object whose text is made only for an error: a million tasks need none.
            at.Index = i;
            read(m, o, at);
            if (r.EndOfMember(']', "an array")) return;
        }
    }

    /// <summary>The path of an item of a top-level array (<c>$.tasks[12]</c>), reused item after item.</summary>
    private sealed class ItemPath
    {
        private readonly string array;

        public ItemPath(string array) => this.array = array;

        /// <summary>The item's index in the array.</summary>
        public int Index { get; set; }

        public override string ToString() => "$." + array + "[" + Index.ToString(System.Globalization.CultureInfo.InvariantCulture) + "]";
    }
}
