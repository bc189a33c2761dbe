using System.Management.Automation;
using OomTools.Engine.Audit;

namespace OomTools.Commands;

/// <summary>The oom_score_adj the kubelet sets for a container.</summary>
public sealed class KubeletScoreAdj
{
    /// <summary>The pod's quality-of-service class.</summary>
    public QosClass QosClass { get; internal set; }
    /// <summary>The container's memory request in bytes (0 for none).</summary>
    public long MemoryRequest { get; internal set; }
    /// <summary>The node's memory capacity in bytes.</summary>
    public long MemoryCapacity { get; internal set; }
    /// <summary>
    /// The pod is node-critical (system-node-critical priority), which gives -997 whatever its class.
    /// </summary>
    public bool NodeCritical { get; internal set; }
    /// <summary>The oom_score_adj the kubelet writes for the container's processes.</summary>
    public int OomScoreAdj { get; internal set; }
}

/// <summary>
/// Get-OomKubeletScoreAdj: the kubelet's oom_score_adj for a pod's containers — -997 Guaranteed or node-critical,
/// 1000 BestEffort, Burstable <c>1000 - 1000 * request / capacity</c> clamped to 3..999 — so a Kubernetes node can
/// be modelled with Add-OomTask.
/// </summary>
[Cmdlet(VerbsCommon.Get, "OomKubeletScoreAdj")]
[OutputType(typeof(KubeletScoreAdj))]
public sealed class GetOomKubeletScoreAdjCommand : OomRowCmdlet
{
    /// <summary>The pod's quality-of-service class: Guaranteed, Burstable or BestEffort.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    public QosClass QosClass { get; set; }

    /// <summary>
    /// The container's memory request: bytes (2GB) or a number with a unit ('2Gi', '512Mi'; binary: Kubernetes's
    /// decimal '500M' is 500e6).
    /// </summary>
    [Parameter(Position = 1, ValueFromPipelineByPropertyName = true)]
    [Size(SizeKind.Limit)]
    [ValidateRange(0, long.MaxValue)]
    public MemorySize MemoryRequest { get; set; }

    /// <summary>The node's memory capacity (its RAM, not allocatable): bytes or a number with a unit.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [Size(SizeKind.Machine)]
    [ValidateRange(1, long.MaxValue)]
    public MemorySize MemoryCapacity { get; set; }

    /// <summary>A node-critical pod (system-node-critical priority).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public SwitchParameter NodeCritical { get; set; }

    /// <summary>
    /// Writes the kubelet's oom_score_adj for each input record (a container's class, request and node capacity).
    /// </summary>
    protected override void ProcessRecord()
    {
        if (RefuseUnboundRow()) return;
        Sizes.WarnImplausible(this, 4096);
        Try(() => WriteObject(new KubeletScoreAdj
        {
            QosClass = QosClass,
            MemoryRequest = MemoryRequest.Bytes,
            MemoryCapacity = MemoryCapacity.Bytes,
            NodeCritical = NodeCritical,
            OomScoreAdj = Kubelet.ContainerOomScoreAdjust(QosClass, MemoryRequest.Bytes, MemoryCapacity.Bytes, NodeCritical),
        }), QosClass);
    }
}
