namespace OomTools.Engine.Model;

/// <summary>Which memory-controller interface the machine mounts: legacy v1 (memsw) or the unified v2.</summary>
public enum CgroupVersion
{
    V1 = 1,
    V2 = 2,
}
