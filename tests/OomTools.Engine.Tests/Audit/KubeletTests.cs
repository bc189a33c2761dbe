using OomTools.Engine.Audit;
using Xunit;

namespace OomTools.Engine.Tests.Audit;

/// <summary>
/// Kubelet.ContainerOomScoreAdjust (pkg/kubelet/qos/policy.go, peers.md §3): -997 for node-critical and
/// Guaranteed, 1000 for BestEffort, Burstable 1000 - 1000 * request / capacity in integer arithmetic, clamped to
/// 3 below and to 999 when it comes out 1000.
/// </summary>
public class KubeletTests
{
    private const long GiB = 1L << 30;
    private const long Node16 = 16 * GiB;   // 17179869184 bytes

    [Fact]
    public void Guaranteed_IsMinus997_WhateverTheRequest()
    {
        Assert.Equal(-997, Kubelet.ContainerOomScoreAdjust(QosClass.Guaranteed, 2 * GiB, Node16));
        Assert.Equal(-997, Kubelet.ContainerOomScoreAdjust(QosClass.Guaranteed, 0, Node16));
    }

    [Theory]
    [InlineData(QosClass.Guaranteed)]
    [InlineData(QosClass.Burstable)]
    [InlineData(QosClass.BestEffort)]
    public void NodeCritical_IsMinus997_WhateverTheQosClass(QosClass qos)
    {
        Assert.Equal(-997, Kubelet.ContainerOomScoreAdjust(qos, 2 * GiB, Node16, nodeCritical: true));
    }

    [Fact]
    public void BestEffort_Is1000()
    {
        Assert.Equal(1000, Kubelet.ContainerOomScoreAdjust(QosClass.BestEffort, 0, Node16));
    }

    [Theory]
    [InlineData(2 * GiB, 875)]              // peers.md: 1000 - 2000/16 = 1000 - 125
    [InlineData(1 * GiB, 938)]              // 1000 * 1 GiB / 16 GiB = 62 (62.5 truncated)
    [InlineData(8 * GiB, 500)]
    [InlineData(0, 999)]                    // 1000 would tie BestEffort: 999
    [InlineData(1, 999)]                    // 1000 / 17179869184 = 0
    [InlineData(17179869, 999)]             // 17179869000 / 17179869184 = 0 still
    [InlineData(17179870, 999)]             // 17179870000 / 17179869184 = 1 -> 999 by the formula itself
    [InlineData(17179871, 999)]
    [InlineData(34359739, 998)]             // 34359739000 / 17179869184 = 2
    [InlineData(17111149707, 5)]            // 1000 * req / cap = 995.99999998: 995
    [InlineData(17111149708, 4)]            // 996 * cap / 1000 = 17111149707.264, rounded up: 996
    [InlineData(17128329577, 3)]            // 99.7 % (997 * cap / 1000 rounded up): 997 -> 3
    [InlineData(17145509545, 3)]            // 998 -> 2, raised to 3
    [InlineData(Node16, 3)]                 // 1000 -> 0, raised to 3
    [InlineData(20 * GiB, 3)]               // above capacity: -250, raised to 3
    public void Burstable_Formula_ByHand(long request, int adj)
    {
        Assert.Equal(adj, Kubelet.ContainerOomScoreAdjust(QosClass.Burstable, request, Node16));
    }

    [Fact]
    public void Constants()
    {
        Assert.Equal(-997, Kubelet.GuaranteedOomScoreAdj);
        Assert.Equal(1000, Kubelet.BestEffortOomScoreAdj);
        Assert.Equal(-999, Kubelet.KubeletOomScoreAdj);
        Assert.Equal(-999, Kubelet.KubeProxyOomScoreAdj);
    }

    [Fact]
    public void Burstable_WithoutCapacity_IsInvalidArgument()
    {
        var ex = Assert.Throws<OomEngineException>(() => Kubelet.ContainerOomScoreAdjust(QosClass.Burstable, GiB, 0));
        Assert.Equal(OomError.InvalidArgument, ex.Error);
    }

    [Fact]
    public void Burstable_NegativeRequest_IsNegativeSize()
    {
        var ex = Assert.Throws<OomEngineException>(() => Kubelet.ContainerOomScoreAdjust(QosClass.Burstable, -1, Node16));
        Assert.Equal(OomError.NegativeSize, ex.Error);
    }

    [Fact]
    public void GuaranteedAndBestEffort_NeedNoCapacity()
    {
        // The kubelet returns before it divides: neither class looks at the node's capacity.
        Assert.Equal(-997, Kubelet.ContainerOomScoreAdjust(QosClass.Guaranteed, 0, 0));
        Assert.Equal(1000, Kubelet.ContainerOomScoreAdjust(QosClass.BestEffort, 0, 0));
    }

    private const long PiB = 1L << 50;

    /// <summary>
    /// GetContainerOOMScoreAdjust takes 1000 * request / capacity; past 9.2 PB that product no longer fits in
    /// int64. A request of half the node is 500 at any size, and a request above the node is clamped to 3.
    /// </summary>
    [Theory]
    [InlineData(10 * PiB, 20 * PiB, 500)]
    [InlineData(8000 * PiB, 8191 * PiB, 24)]     // 1000 * 8000 / 8191 = 976.68: 976
    [InlineData(long.MaxValue, long.MaxValue, 3)]
    [InlineData(long.MaxValue, 1, 3)]            // request above capacity: far below 3, raised to 3
    [InlineData(1, long.MaxValue, 999)]
    public void GetContainerOOMScoreAdjust_Burstable_HugeSizes_StayIn3To999(long request, long capacity, int adj)
    {
        Assert.Equal(adj, Kubelet.ContainerOomScoreAdjust(QosClass.Burstable, request, capacity));
    }
}
