using System;

namespace OomTools.Engine.Audit;

/// <summary>A pod's Kubernetes quality-of-service class.</summary>
public enum QosClass
{
    /// <summary>Every container's requests equal its limits: oom_score_adj -997, as for node-critical pods.</summary>
    Guaranteed,
    /// <summary>
    /// Some request or limit, but not Guaranteed: oom_score_adj from the memory request's share of the node, 3..999.
    /// </summary>
    Burstable,
    /// <summary>No request or limit at all: oom_score_adj 1000, killed first.</summary>
    BestEffort,
}

/// <summary>
/// The oom_score_adj the kubelet gives a container (pkg/kubelet/qos/policy.go, GetContainerOOMScoreAdjust): -997 for
/// node-critical and Guaranteed pods, 1000 for BestEffort, and for Burstable <c>1000 - 1000 * request / capacity</c>
/// (integer arithmetic) clamped to 3..999 — so a Burstable container never ties a Guaranteed one or a BestEffort one.
/// </summary>
public static class Kubelet
{
    /// <summary>
    /// The fixed values of policy.go: -997 for Guaranteed and node-critical containers, 1000 for BestEffort ones, and
    /// -999 for the kubelet and kube-proxy processes themselves (so a Guaranteed container dies before either).
    /// </summary>
    public const int GuaranteedOomScoreAdj = -997, BestEffortOomScoreAdj = 1000, KubeletOomScoreAdj = -999, KubeProxyOomScoreAdj = -999;

    /// <summary>
    /// GetContainerOOMScoreAdjust (pkg/kubelet/qos/policy.go): the oom_score_adj the kubelet writes to /proc/PID/oom_score_adj of a container's
    /// processes when the container starts.
    /// </summary>
    /// <param name="qos">The pod's quality-of-service class.</param>
    /// <param name="memoryRequest">The container's memory request in bytes.</param>
    /// <param name="memoryCapacity">The node's memory capacity in bytes (its RAM, not the allocatable part).</param>
    /// <param name="nodeCritical">A node-critical pod (system-node-critical priority): -997 whatever its class.</param>
    public static int ContainerOomScoreAdjust(QosClass qos, long memoryRequest, long memoryCapacity, bool nodeCritical = false)
    {
        if (nodeCritical || qos == QosClass.Guaranteed) return GuaranteedOomScoreAdj;
        if (qos == QosClass.BestEffort) return BestEffortOomScoreAdj;
        if (memoryCapacity <= 0) throw new OomEngineException(OomError.InvalidArgument, $"The node's memory capacity must be positive; {memoryCapacity} is not.", memoryCapacity);
        if (memoryRequest < 0) throw new OomEngineException(OomError.NegativeSize, $"A memory request cannot be negative ({memoryRequest}).", memoryRequest);
        // The kubelet's int64 product 1000 * request wraps past 9.2 PB (10 PB of 20 PB gives 1319 there, a value
        // the kernel's oom_score_adj write refuses); the product is taken exactly here, so the clamps below keep
        // every figure in 3..999. Below the wrap the result is the kubelet's to the unit: the operands are not
        // negative, so the exact quotient truncated is Go's int64 division.
        var share = System.Numerics.BigInteger.Multiply(1000, memoryRequest) / memoryCapacity;
        // A request above the node makes the share exceed 1000; the clamp to 3 takes it whatever its size.
        long adj = share > 1000 ? 1000 + GuaranteedOomScoreAdj - 1 : 1000 - (long)share;
        if (adj < 1000 + GuaranteedOomScoreAdj) return 1000 + GuaranteedOomScoreAdj;
        if (adj == BestEffortOomScoreAdj) return BestEffortOomScoreAdj - 1;
        return (int)adj;
    }
}
