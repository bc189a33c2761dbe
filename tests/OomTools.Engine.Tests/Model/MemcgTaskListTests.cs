using System;
using System.Collections.Generic;
using System.Linq;
using OomTools.Engine.Model;
using Xunit;

namespace OomTools.Engine.Tests.Model;

/// <summary>
/// A cgroup's processes in arrival order (what mem_cgroup_scan_tasks walks), held to a plain model of lists
/// through additions, moves and exits: the root reads the machine's task list while it can, and keeps a list of
/// its own from the first process that arrives other than by being created there.
/// </summary>
public class MemcgTaskListTests
{
    [Fact]
    public void Root_ReadsTheMachinesTaskList_UntilAProcessMovesIn()
    {
        var m = TestMachines.Machine();
        var child = m.CreateCgroup("/a");
        m.Add(10, anon: 1);
        m.Add(11, anon: 1, cgroup: "/a");
        m.Add(12, anon: 1);
        Assert.True(m.RootMemcg.tasks.ReadsThrough);
        Assert.Equal(new[] { 10, 12 }, m.RootMemcg.Tasks.Select(t => t.Pid));
        Assert.Equal(12, m.RootMemcg.Tasks[1].Pid);

        m.MoveTask(m.FindTask(10)!, child);
        Assert.True(m.RootMemcg.tasks.ReadsThrough);
        Assert.Equal(new[] { 12 }, m.RootMemcg.Tasks.Select(t => t.Pid));

        m.MoveTask(m.FindTask(11)!, m.RootMemcg);   // arrives after 12, though created before it
        Assert.False(m.RootMemcg.tasks.ReadsThrough);
        Assert.Equal(new[] { 12, 11 }, m.RootMemcg.Tasks.Select(t => t.Pid));
        Assert.Equal(new[] { 10 }, child.Tasks.Select(t => t.Pid));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public void ArrivalOrder_FollowsAPlainModel_ThroughAddsMovesExitsAndCopies(int seed)
    {
        var rng = new Random(seed);
        var m = TestMachines.Machine();
        var cgroups = new List<MemoryCgroup> { m.RootMemcg, m.CreateCgroup("/a"), m.CreateCgroup("/b") };
        var model = cgroups.ToDictionary(c => c.Path, _ => new List<int>());
        int nextPid = 100;
        for (int step = 0; step < 400; step++)
        {
            var live = m.Tasks.ToList();
            int op = rng.Next(10);
            if (op < 5 || live.Count == 0)
            {
                var cg = cgroups[rng.Next(op == 0 ? 3 : 1)];
                m.Add(nextPid, anon: 1, cgroup: cg.Path);
                model[cg.Path].Add(nextPid++);
            }
            else if (op < 8)
            {
                var t = live[rng.Next(live.Count)];
                var to = cgroups[rng.Next(3)];
                if (!ReferenceEquals(t.Memcg, to))
                {
                    model[t.Memcg.Path].Remove(t.Pid);
                    model[to.Path].Add(t.Pid);
                }
                m.MoveTask(t, to);
            }
            else
            {
                var t = live[rng.Next(live.Count)];
                model[t.Memcg.Path].Remove(t.Pid);
                m.ReleaseTask(t);
            }
            foreach (var cg in cgroups)
            {
                Assert.Equal(model[cg.Path], cg.Tasks.Select(t => t.Pid));
                Assert.Equal(model[cg.Path].Count, cg.Tasks.Count);
                for (int i = 0; i < cg.Tasks.Count; i++) Assert.Equal(model[cg.Path][i], cg.Tasks[i].Pid);
            }
            if (step % 50 == 0)
            {
                var copy = m.Clone();
                foreach (var cg in cgroups)
                    Assert.Equal(model[cg.Path], copy.GetCgroup(cg.Path).Tasks.Select(t => t.Pid));
                Assert.All(copy.RootMemcg.Tasks, t => Assert.Same(copy.RootMemcg, t.Memcg));
            }
        }
    }
}
