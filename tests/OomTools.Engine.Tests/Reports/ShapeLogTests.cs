using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using OomTools.Engine.Reports;
using Xunit;

namespace OomTools.Engine.Tests.Reports;

/// <summary>
/// Real reports of the shapes (Linux 6.18, cgroup v1, made by the lab's oomlab.py): vfork children,
/// CLONE_VM sharers and exited group leaders, in tests/fixtures/kernel-logs/shapes. Each log's <c>.json</c> sidecar
/// holds what the kernel does not print (which process is whose vfork child, the live threads of an exited
/// leader, who died); the replay never reads it, only these assertions do.
/// </summary>
public class ShapeLogTests
{
    private static string ShapesDir => Path.Combine(ReportInput.FixturesRoot, "shapes");

    public static TheoryData<string> ShapeLogs()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(ShapesDir, "*.log").OrderBy(f => f, StringComparer.Ordinal)) data.Add(Path.GetFileName(f));
        return data;
    }

    private static JsonElement Truth(string log) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(ShapesDir, Path.ChangeExtension(log, ".json")))).RootElement;

    private static IEnumerable<JsonElement> Processes(JsonElement truth, string role) =>
        truth.GetProperty("processes").EnumerateArray().Where(p => p.GetProperty("role").GetString() == role);

    [Theory]
    [MemberData(nameof(ShapeLogs))]
    public void EveryEvent_ReplaysToTheKernelsVictim(string log)
    {
        var reports = ReportInput.ParseFile(Path.Combine(ShapesDir, log));
        Assert.NotEmpty(reports);
        foreach (var r in reports)
        {
            // A report the rate limit cut to its Killed process line has nothing to replay.
            if (r.Machine is null) continue;
            var outcome = ReportReplay.Replay(r, r.Machine!.Clone());
            Assert.True(outcome.AgreesWithKernel, $"{r}: {outcome.Disagreement}");
        }
        // The Killed process lines print the thread the kernel reached each victim through, as the lab recorded them.
        var killed = Truth(log).GetProperty("kernel_killed").EnumerateArray().Select(e => e.GetInt32());
        Assert.Equal(killed, reports.SelectMany(r => r.KilledTids));
    }

    [Theory]
    [MemberData(nameof(ShapeLogs))]
    public void WhatIsInferred_IsTheHostsRealHiddenState(string log)
    {
        var truth = Truth(log);
        var vforkChildOf = Processes(truth, "vfork-parent").ToDictionary(p => p.GetProperty("vfork_child").GetInt32(), p => p.GetProperty("pid").GetInt32());
        foreach (var r in ReportInput.ParseFile(Path.Combine(ShapesDir, log)))
        {
            // Inferred for the choice only when the plain replay disagreed; the stat lines' copy-on-write sharing
            // (CowSharingInference) and shmem lifetime (ShmemLifetimeInference) change what a kill frees, never the
            // choice, and are inferred either way.
            Assert.Equal(r.AgreedBeforeInference == false, r.Inferred.Count(i => !FreesOnly(i)) > 0);
            foreach (var task in r.Machine!.Tasks.Where(t => t.InVfork))
            {
                // Only a real vfork child is taken for one, and it borrows its real parent's mm.
                Assert.True(vforkChildOf.TryGetValue(task.Pid, out var parent), $"{r}: {task} is not a vfork child");
                Assert.Same(r.Machine.FindTask(parent)!.Mm, task.Mm);
            }
            var outcome = ReportReplay.Replay(r, r.Machine.Clone());
            // A vfork child dies with its parent (__oom_kill_process kills every process sharing the mm).
            foreach (var (child, parent) in vforkChildOf)
                if (outcome.Victim?.Pid == parent && r.Machine.FindTask(child)?.InVfork == true)
                    Assert.Contains(child, outcome.AllKilled.Select(t => t.Pid));
        }
    }

    [Fact]
    public void Vfork1003_TheKernelKilledTheParent_AndItsChildDiedWithIt()
    {
        // 15950 and its vfork child 15953 print the same row; 6.18 gives the tie to the later row, but in_vfork()
        // passes over the child. The lab saw both die at the same moment, with one Killed process line.
        var r = Assert.Single(ReportInput.ParseFile(Path.Combine(ShapesDir, "vfork-1003.log")));
        Assert.False(r.AgreedBeforeInference);
        Assert.Equal("pid 15953 is a vfork child of pid 15950 (identical rows, one mm): in_vfork() is never chosen and dies with its parent", Assert.Single(r.Inferred, i => !FreesOnly(i)));

        var outcome = ReportReplay.Replay(r, r.Machine!.Clone());
        Assert.Equal(15950, outcome.Victim!.Pid);
        var died = Truth("vfork-1003.log").GetProperty("deaths").EnumerateArray()
            .Where(d => !d.TryGetProperty("cleanup", out _)).Select(d => d.GetProperty("pid").GetInt32());
        Assert.Equal(died.OrderBy(p => p), outcome.AllKilled.Select(t => t.Pid).OrderBy(p => p));
    }

    [Fact]
    public void Vfork1010_TwoVforkChildrenOutrankTheKernelsVictim_BothAreInferredTogether()
    {
        // No single alternative explains the kernel's 7898: both 7897 (child of 7894) and 7901 (child of 7898)
        // would win as printed. The pair of them together does, and both are real vfork children.
        var first = ReportInput.ParseFile(Path.Combine(ShapesDir, "vfork-1010.log"))[0];
        Assert.False(first.AgreedBeforeInference);
        Assert.Equal(new[]
        {
            "pid 7897 is a vfork child of pid 7894 (identical rows, one mm): in_vfork() is never chosen and dies with its parent",
            "pid 7901 is a vfork child of pid 7898 (identical rows, one mm): in_vfork() is never chosen and dies with its parent",
        }, first.Inferred);
        var outcome = ReportReplay.Replay(first, first.Machine!.Clone());
        Assert.Equal(7898, outcome.Victim!.Pid);
        Assert.Equal(new[] { 7898, 7901 }, outcome.AllKilled.Select(t => t.Pid).OrderBy(p => p));
    }

    [Fact]
    public void ExitLeader1001_IsNamedByItsTgid_ThroughALiveThread()
    {
        var r = Assert.Single(ReportInput.ParseFile(Path.Combine(ShapesDir, "exitleader-1001.log")));
        var leader = Processes(Truth("exitleader-1001.log"), "exited-leader").Single(p => p.GetProperty("pid").GetInt32() == r.SelectedPid);
        var live = leader.GetProperty("live_tids").EnumerateArray().Select(e => e.GetInt32()).ToList();

        Assert.Equal(18262, r.SelectedPid);
        Assert.Contains(r.SelectedTid!.Value, live);
        Assert.Equal(new[] { 18262 }, r.KilledPids);
        var outcome = ReportReplay.Replay(r, r.Machine!.Clone());
        Assert.True(outcome.AgreesWithKernel, outcome.Disagreement);
        Assert.Equal((18262, r.SelectedTid), (outcome.Victim!.Pid, outcome.VictimTid));
    }

    /// <summary>An inference that changes what a kill frees, never the choice.</summary>
    private static bool FreesOnly(string inferred) =>
        inferred.StartsWith(CowSharingInference.Said, System.StringComparison.Ordinal) ||
        inferred.StartsWith(ShmemLifetimeInference.Said, System.StringComparison.Ordinal) ||
        inferred.StartsWith(CloneVmFromStats.Said, System.StringComparison.Ordinal);
}
