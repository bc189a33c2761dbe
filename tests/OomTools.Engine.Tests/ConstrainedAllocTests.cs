using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>constrained_alloc() and mm/memcontrol.c mem_cgroup_get_max().</summary>
public class ConstrainedAllocTests
{
    // Two nodes: node 0 600000 pages, node 1 400000 pages; 100000 pages of swap.
    private static OomMachine TwoNodes() =>
        TestMachines.Machine(ram: 1_000_000, swap: 100_000, nodes: new long[] { 600_000, 400_000 });

    // ---- CONSTRAINT_MEMCG: mem_cgroup_get_max ----

    [Fact]
    public void MemCgroupGetMax_V2AddsSwapMaxWhenBelowTotalSwap()
    {
        var m = TestMachines.Machine(swap: 300);
        var cg = m.CreateCgroup("/a", memoryMax: new Pages(1000), swapMax: new Pages(200));

        Assert.Equal(1200, m.MemCgroups.MemCgroupGetMax(cg).Value);
    }

    [Fact]
    public void MemCgroupGetMax_V2CapsSwapAtTotalSwapPages()
    {
        var m = TestMachines.Machine(swap: 300);
        var cg = m.CreateCgroup("/a", memoryMax: new Pages(1000), swapMax: new Pages(500));

        Assert.Equal(1300, m.MemCgroups.MemCgroupGetMax(cg).Value);
    }

    [Fact]
    public void MemCgroupGetMax_V2UnlimitedSwapMaxIsCappedAtTotalSwap()
    {
        var m = TestMachines.Machine(swap: 300);
        var cg = m.CreateCgroup("/a", memoryMax: new Pages(1000));

        Assert.Equal(1300, m.MemCgroups.MemCgroupGetMax(cg).Value);
    }

    [Fact]
    public void MemCgroupGetMax_V2SwappinessZeroAddsNoSwap()
    {
        var m = TestMachines.Machine(swap: 300);
        m.VmSwappiness = 0;
        var cg = m.CreateCgroup("/a", memoryMax: new Pages(1000), swapMax: new Pages(500));

        Assert.Equal(1000, m.MemCgroups.MemCgroupGetMax(cg).Value);
    }

    [Fact]
    public void MemCgroupGetMax_V2IgnoresPerCgroupSwappiness()
    {
        // cgroup v2 has no per-cgroup swappiness: vm.swappiness (60) decides
        var m = TestMachines.Machine(swap: 300);
        var cg = m.CreateCgroup("/a", memoryMax: new Pages(1000), swapMax: new Pages(500));
        cg.Swappiness = 0;

        Assert.Equal(1300, m.MemCgroups.MemCgroupGetMax(cg).Value);
    }

    [Fact]
    public void MemCgroupGetMax_V1AddsMemswMinusMemoryCappedAtTotalSwap()
    {
        var m = TestMachines.Machine(swap: 300, cgroups: CgroupVersion.V1);
        var cg = m.CreateCgroup("/a", memoryMax: new Pages(1000), swapMax: new Pages(500));
        Assert.Equal(1500, cg.MemswMax.Value);

        Assert.Equal(1300, m.MemCgroups.MemCgroupGetMax(cg).Value);
    }

    [Fact]
    public void MemCgroupGetMax_V1AddsMemswMinusMemoryWhenBelowTotalSwap()
    {
        var m = TestMachines.Machine(swap: 1000, cgroups: CgroupVersion.V1);
        var cg = m.CreateCgroup("/a", memoryMax: new Pages(1000), swapMax: new Pages(500));

        Assert.Equal(1500, m.MemCgroups.MemCgroupGetMax(cg).Value);
    }

    [Fact]
    public void MemCgroupGetMax_V1UnlimitedMemswAddsTotalSwap()
    {
        var m = TestMachines.Machine(swap: 300, cgroups: CgroupVersion.V1);
        var cg = m.CreateCgroup("/a", memoryMax: new Pages(1000));

        Assert.Equal(1300, m.MemCgroups.MemCgroupGetMax(cg).Value);
    }

    [Fact]
    public void MemCgroupGetMax_V1UnlimitedMemswWithoutSwapIsMemoryMax()
    {
        var m = TestMachines.Machine(swap: 0, cgroups: CgroupVersion.V1);
        var cg = m.CreateCgroup("/a", memoryMax: new Pages(40960));

        Assert.Equal(40960, m.MemCgroups.MemCgroupGetMax(cg).Value);
    }

    [Fact]
    public void MemCgroupGetMax_V1CgroupSwappinessZeroAddsNoSwap()
    {
        var m = TestMachines.Machine(swap: 300, cgroups: CgroupVersion.V1);
        var cg = m.CreateCgroup("/a", memoryMax: new Pages(1000), swapMax: new Pages(500), swappiness: 0);

        Assert.Equal(1000, m.MemCgroups.MemCgroupGetMax(cg).Value);
    }

    [Fact]
    public void MemCgroupGetMax_V1CgroupSwappinessOverridesVmSwappinessZero()
    {
        var m = TestMachines.Machine(swap: 300, cgroups: CgroupVersion.V1);
        m.VmSwappiness = 0;
        var cg = m.CreateCgroup("/a", memoryMax: new Pages(1000), swapMax: new Pages(500), swappiness: 10);

        Assert.Equal(1300, m.MemCgroups.MemCgroupGetMax(cg).Value);
    }

    [Fact]
    public void MemCgroupGetMax_V1ChildInheritsParentSwappinessAtCreation()
    {
        // mem_cgroup_css_alloc(): WRITE_ONCE(memcg->swappiness, mem_cgroup_swappiness(parent));
        var m = TestMachines.Machine(swap: 300, cgroups: CgroupVersion.V1);
        m.CreateCgroup("/p", swappiness: 0);
        var child = m.CreateCgroup("/p/c", memoryMax: new Pages(1000), swapMax: new Pages(500));

        Assert.Equal(1000, m.MemCgroups.MemCgroupGetMax(child).Value);
    }

    [Fact]
    public void ConstrainedAlloc_MemcgIsConstraintMemcgWithGetMaxTotal()
    {
        var m = TestMachines.Machine(swap: 300);
        var cg = m.CreateCgroup("/a", memoryMax: new Pages(1000), swapMax: new Pages(500));
        var oc = TestMachines.ForMemcg(cg);

        Assert.Equal(OomConstraint.Memcg, m.Killer.ConstrainedAlloc(oc));
        Assert.Equal(1300, oc.TotalPages.Value);
    }

    [Fact]
    public void ConstrainedAlloc_MemcgWithZeroMaxGivesTotalPagesOne()
    {
        var m = TestMachines.Machine(swap: 0);
        var cg = m.CreateCgroup("/a", memoryMax: new Pages(0));
        var oc = TestMachines.ForMemcg(cg);

        Assert.Equal(OomConstraint.Memcg, m.Killer.ConstrainedAlloc(oc));
        Assert.Equal(1, oc.TotalPages.Value);
    }

    [Fact]
    public void ConstrainedAlloc_MemcgIgnoresNodemaskAndCpuset()
    {
        var m = TwoNodes();
        m.CreateCpuset("/c", NodeMask.Of(0), hardwall: true);
        var cur = m.Add(100, anon: 10, with: s => s.Cpuset = "/c");
        var cg = m.CreateCgroup("/a", memoryMax: new Pages(5000), swapMax: new Pages(0));
        var oc = TestMachines.ForMemcg(cg, current: cur);
        oc.Nodemask = NodeMask.Of(1);

        Assert.Equal(OomConstraint.Memcg, m.Killer.ConstrainedAlloc(oc));
        Assert.Equal(5000, oc.TotalPages.Value);
    }

    // ---- global: CONSTRAINT_NONE ----

    [Fact]
    public void ConstrainedAlloc_GlobalIsRamPlusSwap()
    {
        var m = TwoNodes();
        var oc = TestMachines.Global();

        Assert.Equal(OomConstraint.None, m.Killer.ConstrainedAlloc(oc));
        Assert.Equal(1_100_000, oc.TotalPages.Value);
    }

    // ---- CONSTRAINT_MEMORY_POLICY ----

    [Fact]
    public void ConstrainedAlloc_NodemaskMissingAMemoryNodeIsMemoryPolicy()
    {
        var m = TwoNodes();
        var oc = TestMachines.Global(nodemask: NodeMask.Of(1));

        Assert.Equal(OomConstraint.MemoryPolicy, m.Killer.ConstrainedAlloc(oc));
        Assert.Equal(100_000 + 400_000, oc.TotalPages.Value);
    }

    [Fact]
    public void ConstrainedAlloc_NodemaskOfNode0CountsNode0AndSwap()
    {
        var m = TwoNodes();
        var oc = TestMachines.Global(nodemask: NodeMask.Of(0));

        Assert.Equal(OomConstraint.MemoryPolicy, m.Killer.ConstrainedAlloc(oc));
        Assert.Equal(100_000 + 600_000, oc.TotalPages.Value);
    }

    [Fact]
    public void ConstrainedAlloc_NodemaskCoveringAllMemoryNodesIsNone()
    {
        var m = TwoNodes();
        var oc = TestMachines.Global(nodemask: NodeMask.Of(0, 1));

        Assert.Equal(OomConstraint.None, m.Killer.ConstrainedAlloc(oc));
        Assert.Equal(1_100_000, oc.TotalPages.Value);
    }

    [Fact]
    public void ConstrainedAlloc_NodemaskMayOmitANodeWithoutMemory()
    {
        var m = TestMachines.Machine(ram: 600_000, swap: 100_000, nodes: new long[] { 600_000, 0 });
        var oc = TestMachines.Global(nodemask: NodeMask.Of(0));

        Assert.Equal(OomConstraint.None, m.Killer.ConstrainedAlloc(oc));
        Assert.Equal(700_000, oc.TotalPages.Value);
    }

    [Fact]
    public void ConstrainedAlloc_ThisNodeGivesNoneEvenWithANodemask()
    {
        var m = TwoNodes();
        var oc = TestMachines.Global(gfp: GfpMask.GFP_KERNEL | GfpMask.__GFP_THISNODE | GfpMask.__GFP_NOFAIL,
            nodemask: NodeMask.Of(1));

        Assert.Equal(OomConstraint.None, m.Killer.ConstrainedAlloc(oc));
        Assert.Equal(1_100_000, oc.TotalPages.Value);
    }

    [Fact]
    public void ConstrainedAlloc_ThisNodeGivesNoneEvenInACpuset()
    {
        var m = TwoNodes();
        m.CreateCpuset("/c", NodeMask.Of(0), hardwall: true);
        var cur = m.Add(100, anon: 10, with: s => s.Cpuset = "/c");
        var oc = TestMachines.Global(current: cur, gfp: GfpMask.GFP_HIGHUSER_MOVABLE | GfpMask.__GFP_THISNODE);

        Assert.Equal(OomConstraint.None, m.Killer.ConstrainedAlloc(oc));
    }

    [Fact]
    public void ConstrainedAlloc_NoZonelistGivesNone()
    {
        var m = TwoNodes();
        var oc = TestMachines.Global(nodemask: NodeMask.Of(1));
        oc.HasZonelist = false;

        Assert.Equal(OomConstraint.None, m.Killer.ConstrainedAlloc(oc));
        Assert.Equal(1_100_000, oc.TotalPages.Value);
    }

    // ---- CONSTRAINT_CPUSET: cpuset_zone_allowed on every zonelist node ----

    [Fact]
    public void ConstrainedAlloc_HardwallRequestOutsideCpusetIsCpuset()
    {
        var m = TwoNodes();
        m.CreateCpuset("/c", NodeMask.Of(0), hardwall: false);
        var cur = m.Add(100, anon: 10, with: s => s.Cpuset = "/c");
        var oc = TestMachines.Global(current: cur, gfp: GfpMask.GFP_HIGHUSER_MOVABLE); // has __GFP_HARDWALL

        Assert.Equal(OomConstraint.Cpuset, m.Killer.ConstrainedAlloc(oc));
        Assert.Equal(100_000 + 600_000, oc.TotalPages.Value);
    }

    [Fact]
    public void ConstrainedAlloc_SoftwallRequestInSoftwallCpusetUsesRootsNodesSoNone()
    {
        var m = TwoNodes();
        m.CreateCpuset("/c", NodeMask.Of(0), hardwall: false);
        var cur = m.Add(100, anon: 10, with: s => s.Cpuset = "/c");
        var oc = TestMachines.Global(current: cur, gfp: GfpMask.GFP_KERNEL);

        Assert.Equal(OomConstraint.None, m.Killer.ConstrainedAlloc(oc));
        Assert.Equal(1_100_000, oc.TotalPages.Value);
    }

    [Fact]
    public void ConstrainedAlloc_SoftwallRequestInHardwallCpusetIsCpuset()
    {
        var m = TwoNodes();
        m.CreateCpuset("/c", NodeMask.Of(1), hardwall: true);
        var cur = m.Add(100, anon: 10, with: s => s.Cpuset = "/c");
        var oc = TestMachines.Global(current: cur, gfp: GfpMask.GFP_KERNEL);

        Assert.Equal(OomConstraint.Cpuset, m.Killer.ConstrainedAlloc(oc));
        Assert.Equal(100_000 + 400_000, oc.TotalPages.Value);
    }

    [Fact]
    public void ConstrainedAlloc_SoftwallRequestLimitedByNearestHardwallAncestor()
    {
        var m = TwoNodes();
        m.CreateCpuset("/outer", NodeMask.Of(0), hardwall: true);
        m.CreateCpuset("/outer/inner", NodeMask.Of(0), hardwall: false);
        var cur = m.Add(100, anon: 10, with: s => s.Cpuset = "/outer/inner");
        var oc = TestMachines.Global(current: cur, gfp: GfpMask.GFP_KERNEL);

        Assert.Equal(OomConstraint.Cpuset, m.Killer.ConstrainedAlloc(oc));
        Assert.Equal(700_000, oc.TotalPages.Value);
    }

    [Fact]
    public void ConstrainedAlloc_SoftwallRequestAllowedByWiderHardwallAncestor()
    {
        var m = TwoNodes();
        m.CreateCpuset("/outer", NodeMask.Of(0, 1), hardwall: true);
        m.CreateCpuset("/outer/inner", NodeMask.Of(0), hardwall: false);
        var cur = m.Add(100, anon: 10, with: s => s.Cpuset = "/outer/inner");
        var oc = TestMachines.Global(current: cur, gfp: GfpMask.GFP_KERNEL);

        Assert.Equal(OomConstraint.None, m.Killer.ConstrainedAlloc(oc));
    }

    [Fact]
    public void ConstrainedAlloc_ExitingTaskMaySoftwallAllocateAnywhere()
    {
        var m = TwoNodes();
        m.CreateCpuset("/c", NodeMask.Of(0), hardwall: true);
        var cur = m.Add(100, anon: 10, with: s => { s.Cpuset = "/c"; s.Exiting = true; s.Threads = 2; });
        var oc = TestMachines.Global(current: cur, gfp: GfpMask.GFP_KERNEL);

        Assert.Equal(OomConstraint.None, m.Killer.ConstrainedAlloc(oc));
    }

    [Fact]
    public void ConstrainedAlloc_ExitingTaskStillBoundByHardwallRequest()
    {
        var m = TwoNodes();
        m.CreateCpuset("/c", NodeMask.Of(0), hardwall: false);
        var cur = m.Add(100, anon: 10, with: s => { s.Cpuset = "/c"; s.Exiting = true; s.Threads = 2; });
        var oc = TestMachines.Global(current: cur, gfp: GfpMask.GFP_HIGHUSER_MOVABLE);

        Assert.Equal(OomConstraint.Cpuset, m.Killer.ConstrainedAlloc(oc));
    }

    [Fact]
    public void ConstrainedAlloc_OomVictimMayAllocateAnywhere()
    {
        var m = TwoNodes();
        m.CreateCpuset("/c", NodeMask.Of(0), hardwall: true);
        var cur = m.Add(100, anon: 10, with: s => { s.Cpuset = "/c"; s.OomVictim = true; });
        var oc = TestMachines.Global(current: cur, gfp: GfpMask.GFP_HIGHUSER_MOVABLE);

        Assert.Equal(OomConstraint.None, m.Killer.ConstrainedAlloc(oc));
    }

    [Fact]
    public void ConstrainedAlloc_KernelWorkerWithCpusetsIsNone()
    {
        var m = TwoNodes();
        m.CreateCpuset("/c", NodeMask.Of(0), hardwall: true);
        var oc = TestMachines.Global(current: null, gfp: GfpMask.GFP_HIGHUSER_MOVABLE);

        Assert.Equal(OomConstraint.None, m.Killer.ConstrainedAlloc(oc));
    }

    [Fact]
    public void ConstrainedAlloc_TaskInRootCpusetIsNone()
    {
        var m = TwoNodes();
        m.CreateCpuset("/c", NodeMask.Of(0), hardwall: true);
        var cur = m.Add(100, anon: 10);
        var oc = TestMachines.Global(current: cur, gfp: GfpMask.GFP_HIGHUSER_MOVABLE);

        Assert.Equal(OomConstraint.None, m.Killer.ConstrainedAlloc(oc));
    }

    [Fact]
    public void ConstrainedAlloc_MemoryPolicyTakesPrecedenceOverCpuset()
    {
        var m = TwoNodes();
        m.CreateCpuset("/c", NodeMask.Of(0), hardwall: true);
        var cur = m.Add(100, anon: 10, with: s => s.Cpuset = "/c");
        var oc = TestMachines.Global(current: cur, gfp: GfpMask.GFP_HIGHUSER_MOVABLE, nodemask: NodeMask.Of(1));

        Assert.Equal(OomConstraint.MemoryPolicy, m.Killer.ConstrainedAlloc(oc));
        Assert.Equal(500_000, oc.TotalPages.Value);
    }
}
