using System;
using System.Collections.Generic;
using OomTools.Engine.Model;

namespace OomTools.Engine.Audit;

/// <summary>What an audit report covers: the OOM, the critical processes, how many kills, how many bars.</summary>
public sealed class AuditReportOptions
{
    /// <summary>The report's heading; "OOM audit: NAME" when null.</summary>
    public string? Title { get; set; }
    /// <summary>The OOM the report is about (global when empty).</summary>
    public OomRequest Request { get; set; } = new();
    /// <summary>Processes whose protection is assessed.</summary>
    public IReadOnlyList<OomTask> Critical { get; set; } = Array.Empty<OomTask>();
    /// <summary>Critical names that matched no process (listed as missing).</summary>
    public IReadOnlyList<string> MissingCritical { get; set; } = Array.Empty<string>();
    /// <summary>Kills shown in the kill order, and kills each critical process must survive.</summary>
    public int Kills { get; set; } = 3;
    /// <summary>Bars drawn in the ranking (the most points first); the rest are counted.</summary>
    public int Top { get; set; } = 40;
    /// <summary>When the report was made, printed when given.</summary>
    public DateTimeOffset? GeneratedAt { get; set; }
}
