using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Serialization;
using OomTools.Engine.Time;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Serialization;

/// <summary>oomtools.machine/v1: exact round trips, shared mms, state after OOMs, refusals.</summary>
public class MachineJsonTests
{
    /// <summary>A machine with a bit of everything: NUMA, v1 cgroups, cpusets, threads, shared mms, a kernel thread.</summary>
    private static OomMachine Rich(ManualClock clock)
    {
        var m = new OomMachine(new Pages(1_000_000), new Pages(50_000), 4096, new[] { new Pages(600_000), new Pages(400_000) },
            "db-01", CgroupVersion.V1, clock)
        {
            Hz = 1000, VmSwappiness = 10, OomKillAllocatingTask = false, OomDumpTasks = true,
            KernelVersion = new Version(5, 15, 0), SlabUnreclaimablePages = new Pages(1234), LruPages = new Pages(4321),
        };
        m.CreateCgroup("/db", memoryMax: new Pages(700_000), swapMax: new Pages(1000), swappiness: 30);
        m.CreateCgroup("/db/replica");
        m.CreateCgroup("/batch", memoryMax: new Pages(100_000));
        m.CreateCpuset("/numa1", NodeMask.Of(1), hardwall: true);
        m.Add(1, anon: 100, name: "systemd");
        m.Add(2, name: "kthreadd", with: s => s.KernelThread = true);
        m.Add(500, anon: 300_000, file: 2000, shmem: 50_000, swap: 700, pgtables: 1_200_000, adj: -900, name: "postgres", cgroup: "/db",
            with: s => { s.Threads = 3; s.Uid = 26; s.OomScoreAdjMin = OomScoreAdj.From(-900); s.TotalVm = new Pages(900_000); });
        m.AddSharer(510, 500, name: "pg-bgworker", adj: -900);
        m.Add(600, anon: 200_000, name: "replica", cgroup: "/db/replica", with: s => { s.Cpuset = "/numa1"; s.MempolicyBind = NodeMask.Of(1); });
        m.Add(700, anon: 90_000, name: "etl", cgroup: "/batch", with: s => { s.Threads = 4; s.DetachedThreads = 1; s.Frozen = true; });
        m.Add(800, anon: 10, name: "a-very-long-command-name", with: s => { s.InVfork = true; s.CoreDumping = true; s.Exiting = true; });
        m.Add(900, name: "kworker-mm", with: s => { s.KernelThread = true; s.SharesMemoryWith = 600; });
        m.Add(950, anon: 5, name: "origin", with: s => s.OomOrigin = false);
        // Arrival order in /db differs from fork order after a move.
        m.MoveTask(m.GetTask(950), m.GetCgroup("/db"));
        m.MoveTask(m.GetTask(510), m.GetCgroup("/batch"));
        m.MoveTask(m.GetTask(510), m.GetCgroup("/db"));
        m.GetTask(500).Mm!.MmapLockHeldForWrite = true;
        // The timeline's inputs: exit latencies, a core dump that ends, mmap_lock held until a jiffy, VMAs.
        m.DefaultExitLatencyJiffies = 7;
        m.GetTask(700).ExitLatencyJiffies = 3000;
        m.GetTask(800).CoreDumpUntil = 123_456;
        var replica = m.GetTask(600).Mm!;
        replica.MmapLockReleaseAt = 101_000;
        replica.Vmas.Add(new Vma(VmaKind.Anonymous, 150_000, 10));
        replica.Vmas.Add(new Vma(VmaKind.Hugetlb, 40_000));
        replica.Vmas.Add(new Vma(VmaKind.SharedFile, 10_000, notifierBlocks: true));
        m.GetCgroup("/db").Usage = new Pages(555_555);
        m.UsedPages = new Pages(777_777);
        return m;
    }

    private static (OomMachine Machine, ManualClock Clock) RichAfterOoms()
    {
        var clock = new ManualClock(TestMachines.BootNs);
        var m = Rich(clock);
        m.Killer.Invoke(TestMachines.Global());
        clock.Advance(TimeSpan.FromSeconds(3));
        m.Timeline.RunOomReaper();
        m.Killer.Invoke(TestMachines.ForMemcg(m.GetCgroup("/db")));
        m.Killer.Invoke(TestMachines.ForMemcg(m.GetCgroup("/batch")));
        clock.Advance(TimeSpan.FromMilliseconds(10));
        return (m, clock);
    }

    [Fact]
    public void RoundTrip_IsExact_AfterOomsWithVictimsReaperAndLog()
    {
        var (m, _) = RichAfterOoms();
        Assert.True(m.OomKillCount >= 2);
        Assert.NotEmpty(m.Log.Entries);
        Assert.Contains(m.Tasks, t => t.IsOomVictim && t.MemDie);
        Assert.Contains(m.Tasks, t => t.Mm is { } mm && mm.Has(MmFlags.OomSkip));
        Assert.Contains(m.Tasks, t => t.ThreadList.Any(th => !th.HasMm));
        Assert.True(m.OomVictims > 0);
        Assert.True(m.PendingEvents > 0);

        string first = m.ToJson();
        Assert.Matches("\"pending\": \\[\\s*\\{", first);
        Assert.Contains("\"kind\": \"Hugetlb\"", first, StringComparison.Ordinal);
        var copy = OomMachine.FromJson(first);
        string second = copy.ToJson();

        Assert.Equal(first, second);
        Assert.Contains("\"schema\": \"oomtools.machine/v1\"", first, StringComparison.Ordinal);
    }

    [Fact]
    public void RoundTrip_KeepsEveryPublicPropertyOfTasksMmsCgroupsAndCpusets()
    {
        var (m, _) = RichAfterOoms();
        var copy = OomMachine.FromJson(m.ToJson());

        AssertSameScalars(m, copy, "machine");
        Assert.Equal(m.Tasks.Pids(), copy.Tasks.Pids());
        for (int i = 0; i < m.Tasks.Count; i++)
        {
            var a = m.Tasks[i];
            var b = copy.Tasks[i];
            AssertSameScalars(a, b, $"task {a.Pid}");
            Assert.Equal(a.ThreadList, b.ThreadList);
            Assert.Equal(a.Memcg.Path, b.Memcg.Path);
            Assert.Equal(a.Cpuset.Path, b.Cpuset.Path);
            Assert.Equal(a.Mm is null, b.Mm is null);
            Assert.Equal(a.OomMm is null, b.OomMm is null);
            if (a.Mm is not null) AssertSameScalars(a.Mm, b.Mm!, $"mm of {a.Pid}");
            if (a.OomMm is not null) AssertSameScalars(a.OomMm, b.OomMm!, $"oom_mm of {a.Pid}");
            Assert.Equal(ReferenceEquals(a.Mm, a.OomMm), ReferenceEquals(b.Mm, b.OomMm));
        }
        Assert.Equal(m.Cgroups.Select(c => c.Path), copy.Cgroups.Select(c => c.Path));
        foreach (var cg in m.Cgroups)
        {
            AssertSameScalars(cg, copy.GetCgroup(cg.Path), $"cgroup {cg.Path}");
            Assert.Equal(cg.Tasks.Pids(), copy.GetCgroup(cg.Path).Tasks.Pids());
        }
        foreach (var cs in m.Cpusets) AssertSameScalars(cs, copy.GetCpuset(cs.Path), $"cpuset {cs.Path}");
        Assert.Equal(m.Log.Entries.Select(e => (e.TimestampNs, e.Level, e.Text)), copy.Log.Entries.Select(e => (e.TimestampNs, e.Level, e.Text)));
        Assert.Equal(m.Killer.OomReaperList.Select(t => t.Pid), copy.Killer.OomReaperList.Select(t => t.Pid));
        Assert.Equal(m.NextDue(), copy.NextDue());
        for (int i = 0; i < m.Tasks.Count; i++)
            if (m.Tasks[i].Mm is { } mm)
                Assert.Equal(mm.Vmas.Select(v => (v.Kind, v.ResidentPages, v.SwapPages, v.NotifierBlocks)),
                    copy.Tasks[i].Mm!.Vmas.Select(v => (v.Kind, v.ResidentPages, v.SwapPages, v.NotifierBlocks)));
        Assert.Equal(m.Clock.Nanoseconds, copy.Clock.Nanoseconds);
    }

    [Fact]
    public void Imported_MachineDecidesTheNextOomsLikeTheOriginal()
    {
        var (m, clock) = RichAfterOoms();
        var copy = OomMachine.FromJson(m.ToJson());
        var copyClock = (ManualClock)copy.Clock;
        int timelineEvents = 0;

        for (int i = 0; i < 3; i++)
        {
            var a = m.Killer.Invoke(TestMachines.Global());
            var b = copy.Killer.Invoke(TestMachines.Global());
            Assert.Equal(a.Killed.Pids(), b.Killed.Pids());
            Assert.Equal(a.Texts(), b.Texts());
            // The timeline runs the same: exits, reaper timers and attempts at the same jiffies.
            long until = m.Jiffies + 3 * m.Hz;
            var stepped = m.Timeline.Step(until).Select(e => e.ToString()).ToList();
            Assert.Equal(stepped, copy.Timeline.Step(until).Select(e => e.ToString()));
            timelineEvents += stepped.Count;
            Assert.Equal(m.Tasks.Pids(), copy.Tasks.Pids());
            clock.Advance(TimeSpan.FromSeconds(2));
            copyClock.Advance(TimeSpan.FromSeconds(2));
            Assert.Equal(m.Timeline.RunOomReaper().Pids(), copy.Timeline.RunOomReaper().Pids());
        }
        Assert.True(timelineEvents > 0);
        Assert.Equal(m.ToJson(), copy.ToJson());
    }

    [Fact]
    public void SharedMm_IsOneObjectAgainAfterImport()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 5000, name: "owner");
        m.AddSharer(101, 100);
        m.AddSharer(102, 100);
        m.Add(200, anon: 10);

        var copy = OomMachine.FromJson(m.ToJson());

        Assert.Same(copy.GetTask(100).Mm, copy.GetTask(101).Mm);
        Assert.Same(copy.GetTask(100).Mm, copy.GetTask(102).Mm);
        Assert.NotSame(copy.GetTask(100).Mm, copy.GetTask(200).Mm);
        Assert.Equal(3, copy.GetTask(100).Mm!.Users);
        Assert.True(copy.GetTask(101).Mm!.Has(MmFlags.MultiProcess));
        Assert.Equal(100, copy.GetTask(102).SharesMemoryWith);
        // Changing the shared mm through one process shows in the others, as before the export.
        copy.GetTask(101).Mm!.AnonPages = new Pages(1);
        Assert.Equal(1, copy.GetTask(100).AnonPages.Value);
    }

    [Fact]
    public void UnknownSchemaVersion_IsInvalidArgumentNamingTheVersion()
    {
        var json = TestMachines.Machine().ToJson().Replace("oomtools.machine/v1", "oomtools.machine/v2", StringComparison.Ordinal);

        var ex = Assert.Throws<OomEngineException>(() => OomMachine.FromJson(json));

        Assert.Equal(OomError.InvalidArgument, ex.Error);
        Assert.Contains("'oomtools.machine/v2'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("oomtools.machine/v1", ex.Message.Replace("'oomtools.machine/v2'", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"name\": \"x\"}", "no \"schema\"")]
    [InlineData("{\"schema\": \"something/else\"}", "not 'oomtools.machine/v1'")]
    [InlineData("[1, 2]", "not an object")]
    [InlineData("{\"schema\": \"oomtools.machine/v1\"}", "ramPages is missing")]
    [InlineData("{\"schema\": \"oomtools.machine/v1\", \"ramPages\": \"lots\"}", "ramPages must be a whole number")]
    [InlineData("{\"schema\": \"oomtools.machine/v1\", \"ramPages\": 10, \"tasks\": [{\"comm\": \"x\"}]}", "$.tasks[0].pid is missing")]
    [InlineData("{\"schema\": \"oomtools.machine/v1\", \"ramPages\": 10, \"tasks\": [{\"pid\": 5, \"comm\": \"x\", \"oomScoreAdj\": 1001}]}", "$.tasks[0].oomScoreAdj must be between -1000 and 1000")]
    public void BadDocuments_AreInvalidArgumentNamingTheMember(string json, string fragment)
    {
        var ex = Assert.Throws<OomEngineException>(() => OomMachine.FromJson(json));
        Assert.Equal(OomError.InvalidArgument, ex.Error);
        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "line 1, column 1")]
    [InlineData("{\"schema\": \"oomtools.machine/v1\",\n  \"ramPages\": 10,,}", "line 2, column 18")]
    [InlineData("{\"a\": 1} x", "more text after the end")]
    [InlineData("{\"a\": \"\\q\"}", "not a JSON escape")]
    [InlineData("{\"a\": 1, \"a\": 2}", "appears twice")]
    public void NotJson_IsFormatExceptionWithThePlace(string json, string fragment)
    {
        var ex = Assert.Throws<FormatException>(() => OomMachine.FromJson(json));
        Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SharersThatDescribeTheirMmDifferently_AreRefused()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 5000);
        m.AddSharer(101, 100);
        var json = m.ToJson();
        int second = json.IndexOf("\"anonPages\": 5000", json.IndexOf("\"pid\": 101", StringComparison.Ordinal), StringComparison.Ordinal);
        json = json.Substring(0, second) + "\"anonPages\": 4999" + json.Substring(second + "\"anonPages\": 5000".Length);

        var ex = Assert.Throws<OomEngineException>(() => OomMachine.FromJson(json));

        Assert.Equal(OomError.InvalidArgument, ex.Error);
        Assert.Contains("$.tasks[1].mm has mm id 1 like $.tasks[0].mm", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EngineRefusals_KeepTheirOwnError()
    {
        const string head = "{\"schema\": \"oomtools.machine/v1\", \"ramPages\": 1000, ";
        var duplicate = head + "\"tasks\": [{\"pid\": 100, \"comm\": \"a\"}, {\"pid\": 100, \"comm\": \"b\"}]}";
        var noCgroup = head + "\"tasks\": [{\"pid\": 100, \"comm\": \"a\", \"cgroup\": \"/nope\"}]}";
        var orphan = head + "\"memoryCgroups\": [{\"path\": \"/a/b\"}]}";

        Assert.Equal(OomError.DuplicatePid, Assert.Throws<OomEngineException>(() => OomMachine.FromJson(duplicate)).Error);
        Assert.Equal(OomError.CgroupNotFound, Assert.Throws<OomEngineException>(() => OomMachine.FromJson(noCgroup)).Error);
        Assert.Equal(OomError.CgroupNotFound, Assert.Throws<OomEngineException>(() => OomMachine.FromJson(orphan)).Error);
    }

    [Fact]
    public void AHandWrittenMinimalDocument_GetsTheDefaults()
    {
        var m = OomMachine.FromJson(@"{
          ""schema"": ""oomtools.machine/v1"",
          ""ramPages"": 1000,
          ""memoryCgroups"": [{""path"": ""/""}, {""path"": ""/app"", ""memoryMax"": 100}],
          ""tasks"": [
            {""pid"": 1, ""comm"": ""init""},
            {""pid"": 10, ""comm"": ""app"", ""cgroup"": ""/app"", ""mm"": {""id"": 1, ""anonPages"": 50}},
            {""pid"": 11, ""comm"": ""app2"", ""cgroup"": ""/app"", ""mm"": {""id"": 1, ""anonPages"": 50}}
          ]
        }");

        Assert.Equal("oom-machine", m.Name);
        Assert.Equal(4096, m.PageSize);
        Assert.True(m.GetTask(1).IsGlobalInit);
        Assert.Null(m.GetTask(1).Mm);
        Assert.Same(m.GetTask(10).Mm, m.GetTask(11).Mm);
        Assert.Equal(50, m.GetTask(10).Mm!.TotalVm.Value);
        Assert.Equal(100, m.GetCgroup("/app").MemoryMax.Value);
        Assert.Equal(m.PageCounterMax, m.GetCgroup("/app").SwapMax);
        Assert.Equal(new[] { 10, 11 }, m.GetCgroup("/app").Tasks.Pids());
        Assert.Equal(12, m.NextPid);
    }

    [Fact]
    public void Strings_WithQuotesControlCharactersAndSurrogates_RoundTrip()
    {
        var m = TestMachines.Machine();
        m.Name = "\"quoted\"\\ \u0001 tab\t nl\n \u2028 ünïcödé 😀";
        // 14 characters then an emoji: the 15-character comm keeps only its high surrogate.
        m.Add(100, anon: 1, name: "abcdefghijklmn😀");
        Assert.Equal(15, m.GetTask(100).Comm.Length);

        var json = m.ToJson();
        var copy = OomMachine.FromJson(json);

        Assert.Equal(m.Name, copy.Name);
        Assert.Equal(m.GetTask(100).Comm, copy.GetTask(100).Comm);
        Assert.Equal(json, copy.ToJson());
        Assert.DoesNotContain("\u0001", json, StringComparison.Ordinal);
    }

    [Fact]
    public void LargeNumbers_AreExact()
    {
        // Task counters stop at what a kernel can hold (KernelLimits, issue 10): the largest of them, and a clock
        // past 2^53 (where a double is no longer exact), round-trip to the unit.
        var m = TestMachines.Machine();
        long anon = KernelLimits.MaxPages(m.PageSize) - 1, pgtables = KernelLimits.MaxMemoryBytes - 1, ns = (1L << 60) + 1;
        m.Add(100, anon: anon, pgtables: pgtables);
        ((OomTools.Engine.Time.ManualClock)m.Clock).AdvanceTo(ns);
        var copy = OomMachine.FromJson(m.ToJson());
        Assert.Equal(anon, copy.GetTask(100).AnonPages.Value);
        Assert.Equal(pgtables, copy.GetTask(100).PageTableBytes);
        Assert.Equal(ns, copy.Clock.Nanoseconds);
    }

    /// <summary>Every public readable property of a scalar type (numbers, strings, enums, units, versions) is equal.</summary>
    private static void AssertSameScalars(object a, object b, string what)
    {
        foreach (var p in a.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetIndexParameters().Length > 0) continue;
            var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            bool scalar = t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(Version) || t == typeof(decimal)
                || (t.IsValueType && t.Namespace == typeof(Pages).Namespace);
            if (!scalar) continue;
            Assert.True(Equals(p.GetValue(a), p.GetValue(b)), $"{what}: {p.Name} is {p.GetValue(a)} before and {p.GetValue(b)} after the round trip");
        }
    }
}
