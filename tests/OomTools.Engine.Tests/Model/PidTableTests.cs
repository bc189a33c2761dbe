using System;
using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Model;
using Xunit;

namespace OomTools.Engine.Tests.Model;

/// <summary>
/// The pid table names a process by its place on the task list, less the places of those that left since it last
/// numbered the list: held to a plain model of pids and thread ids through additions (pids in any order, threads),
/// exits in any order, renumberings and copies.
/// </summary>
public class PidTableTests
{
    [Theory]
    [InlineData(1, 300)]
    [InlineData(2, 300)]
    [InlineData(3, 2_000)]
    [InlineData(4, 2_000)]
    public void Lookups_FollowAPlainModel_ThroughAddsAndExits(int seed, int steps)
    {
        var rng = new Random(seed);
        var m = TestMachines.Machine();
        var pids = new Dictionary<int, OomTask>();
        var tids = new Dictionary<int, int>();
        var free = Enumerable.Range(1, 20_000).OrderBy(_ => rng.Next()).ToList();
        for (int step = 0; step < steps; step++)
        {
            // Bursts of exits (the table numbers the list again after many), then of additions.
            bool exits = pids.Count > 0 && (step / 97 % 2 == 1 ? rng.Next(10) < 8 : rng.Next(10) < 2);
            if (exits)
            {
                var t = m.Tasks[rng.Next(m.Tasks.Count)];
                m.ReleaseTask(t);
                pids.Remove(t.Pid);
                foreach (var th in t.ThreadList.Skip(1)) tids.Remove(th.Tid);
            }
            else
            {
                int pid = free[free.Count - 1];
                free.RemoveAt(free.Count - 1);
                if (pids.ContainsKey(pid) || tids.ContainsKey(pid)) continue;
                int threads = rng.Next(4) == 0 ? 1 + rng.Next(4) : 1;
                var ids = Enumerable.Range(0, threads - 1).Select(_ => 30_000 + rng.Next(100_000)).Distinct()
                    .Where(id => !pids.ContainsKey(id) && !tids.ContainsKey(id)).ToArray();
                var t = m.Add(pid, anon: 1, with: s => { s.Threads = 1 + ids.Length; s.ThreadIds = ids; });
                pids[pid] = t;
                foreach (var id in ids) tids[id] = pid;
            }
            if (step % 25 == 0 || step == steps - 1) Check(m, pids, tids);
        }
        var copy = m.Clone();
        Check(copy, pids.ToDictionary(p => p.Key, p => copy.FindTask(p.Key)!), tids);
    }

    private static void Check(OomMachine m, Dictionary<int, OomTask> pids, Dictionary<int, int> tids)
    {
        foreach (var (pid, t) in pids)
        {
            var found = m.FindTask(pid);
            Assert.Same(t, found);
            Assert.Equal(pid, found!.Pid);
        }
        Assert.Equal(pids.Count, m.Tasks.Count);
        foreach (var t in m.Tasks) Assert.Same(t, m.FindTask(t.Pid));
        foreach (var (tid, owner) in tids)
        {
            Assert.Null(m.FindTask(tid));
            var e = Assert.Throws<OomEngineException>(() => m.Add(tid, anon: 1));
            Assert.Contains($"thread id of process {owner}", e.Message);
        }
    }

    [Fact]
    public void AfterManyExits_AnAdditionNumbersTheListAgain_AndEveryPidStillFindsItsProcess()
    {
        var m = TestMachines.Machine();
        for (int i = 1; i <= 1_000; i++) m.Add(i * 10, anon: 1, with: s => s.Threads = i % 7 == 0 ? 3 : 1);
        foreach (var t in m.Tasks.Where(t => t.Pid / 10 % 3 != 0).Reverse().ToList()) m.ReleaseTask(t);
        Assert.All(m.Tasks, t => Assert.Same(t, m.FindTask(t.Pid)));
        var added = m.Add(5_000, anon: 1);
        Assert.Same(added, m.FindTask(5_000));
        Assert.All(m.Tasks, t => Assert.Same(t, m.FindTask(t.Pid)));
        Assert.Null(m.FindTask(10));
        Assert.Null(m.FindTask(421));
        var e = Assert.Throws<OomEngineException>(() => m.Add(422, anon: 1));
        Assert.Contains("thread id of process 420", e.Message);
        m.Add(141, anon: 1);   // a thread id of process 140, which exited
    }
}
