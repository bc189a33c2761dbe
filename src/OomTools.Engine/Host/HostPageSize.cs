using System;

namespace OomTools.Engine.Host;

/// <summary>The page size a snapshot of this host assumes when none is given.</summary>
public static class HostPageSize
{
    /// <summary>
    /// This host's page size (<c>getpagesize()</c>) when it is one the simulation models (4 KiB, 16 KiB or
    /// 64 KiB), else 4096.
    /// </summary>
    public static int Current => Environment.SystemPageSize is 4096 or 16384 or 65536 ? Environment.SystemPageSize : 4096;
}
