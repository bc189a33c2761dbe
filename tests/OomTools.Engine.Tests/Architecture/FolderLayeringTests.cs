using System;
using System.Linq;
using Xunit;

namespace OomTools.Engine.Tests.Architecture;

/// <summary>
/// The engine's folders form layers: each may use only the folders before it in <see cref="Layers"/>, so there is
/// no cycle. References are read from the compiled assembly (signatures, attributes and method bodies), not from
/// <c>using</c> lines.
/// </summary>
public class FolderLayeringTests
{
    /// <summary>
    /// The engine's folders, lowest first. A new folder fails <see cref="EveryFolderHasAPlaceInTheLayers"/> until it
    /// is placed here, deliberately.
    /// </summary>
    public static readonly string[] Layers =
    {
        NamespaceGraph.Root, // OomEngineException, OomError
        "Units",             // value types: pages, gfp masks, node masks, oom_score_adj
        "Kernels",           // the rules of kernel eras
        "Time",              // the clock (and the wait a lower layer can be handed)
        "Log",               // the kernel log, printk levels, __ratelimit
        "Model",             // the machine: tasks, mms, cgroups, cpusets, the OOM killer's globals, queued timers and exits
        "Memcontrol",        // mm/memcontrol.c as oom_kill.c reads it: memory.current, limits, events, oom.group
        "Killer",            // mm/oom_kill.c
        "Exit",              // kernel/exit.c: do_exit, exit_mmap
        "Proc",              // fs/proc/base.c: the oom_score_adj writers; a process changed from outside
        "Timeline",          // simulated time: runs exits, reaper timers and retries; timeline events
        "PageAlloc",         // __alloc_pages_may_oom, mem_cgroup_out_of_memory and the charge loop
        "Audit",             // kill orders and protection searches
        "Reports",           // kernel OOM reports read back and replayed
        "Host",              // a live host read into a machine
        "Serialization",     // the machine document
        "Charts",            // a timeline's chart as data
        "Writers",           // the HTML and SVG writers
    };

    private static readonly Lazy<NamespaceGraph> engine = new(() =>
        EngineReferences.Read(typeof(OomTools.Engine.Model.OomMachine).Assembly.Location, "OomTools.Engine"));

    [Fact]
    public void TheEngineFoldersHaveNoCycle()
    {
        var cycle = engine.Value.FindCycle();
        Assert.True(cycle is null, cycle is null ? "" :
            "Folder cycle: " + string.Join(" -> ", cycle) + Environment.NewLine +
            string.Join(Environment.NewLine, cycle.Zip(cycle.Skip(1), (a, b) => $"  {a} -> {b}: {engine.Value.Why(a, b)}")));
    }

    [Fact]
    public void EveryFolderHasAPlaceInTheLayers()
    {
        var unplaced = engine.Value.Unplaced(Layers);
        Assert.True(unplaced.Count == 0, "Folders missing from FolderLayeringTests.Layers: " + string.Join(", ", unplaced));
        var stale = Layers.Where(l => !engine.Value.Nodes.Contains(l)).ToList();
        Assert.True(stale.Count == 0, "Layers that are no folder of the engine: " + string.Join(", ", stale));
    }

    [Fact]
    public void NoFolderUsesAFolderAfterIt()
    {
        var violations = engine.Value.LayerViolations(Layers);
        Assert.True(violations.Count == 0, string.Join(Environment.NewLine, violations));
    }

    [Fact]
    public void TheReaderSeesReferencesInSignaturesAndInMethodBodies()
    {
        var g = engine.Value;
        Assert.True(g.HasEdge("Killer", "Model"), "a parameter type (OomTask)");
        Assert.True(g.HasEdge("Killer", "Memcontrol"), "a field and calls (MemCgroups)");
        Assert.True(g.HasEdge("Timeline", "Exit"), "a field and calls (TaskExit)");
        Assert.True(g.HasEdge("PageAlloc", "Timeline"), "calls into the timeline runner");
        Assert.True(g.HasEdge("Exit", "Killer"), "a call made only inside a method body (exit_oom_victim)");
        Assert.True(g.HasEdge("Model", NamespaceGraph.Root), "a thrown OomEngineException, only in method bodies");
        Assert.False(g.HasEdge("Model", "Killer"));
    }

    [Fact]
    public void FindCycle_NamesAHandMadeCycle()
    {
        var g = new NamespaceGraph();
        g.AddEdge("Units", "Model");
        g.AddEdge("Model", "Killer");
        g.AddEdge("Killer", "Units");
        g.AddEdge("Killer", "Log");
        Assert.Equal(new[] { "Killer", "Units", "Model", "Killer" }, g.FindCycle());
    }

    [Fact]
    public void FindCycle_IsNullForLayers_AndASelfReferenceIsNoCycle()
    {
        var g = new NamespaceGraph();
        g.AddEdge("Killer", "Model");
        g.AddEdge("Killer", "Units");
        g.AddEdge("Model", "Units");
        g.AddEdge("Model", "Model");
        Assert.Null(g.FindCycle());
    }

    [Fact]
    public void LayerViolations_NameAFolderThatUsesALaterOne_AndUnplacedNamesANewFolder()
    {
        var g = new NamespaceGraph();
        g.AddEdge("Model", "Units", "Model.X uses Units.Pages");
        g.AddEdge("Model", "Killer", "Model.Y uses Killer.OomKiller");
        g.AddEdge("Killer", "Brand", "Killer.Z uses Brand.New");
        var violations = g.LayerViolations(new[] { "Units", "Model", "Killer" });
        Assert.Equal("Model uses Killer, which comes after it (Model.Y uses Killer.OomKiller)", Assert.Single(violations));
        Assert.Equal(new[] { "Brand" }, g.Unplaced(new[] { "Units", "Model", "Killer" }));
    }
}
