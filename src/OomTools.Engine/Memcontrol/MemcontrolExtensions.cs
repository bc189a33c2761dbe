using OomTools.Engine.Model;

namespace OomTools.Engine.Memcontrol;

/// <summary>Reaches a machine's memory-cgroup functions as <c>machine.MemCgroups</c>.</summary>
public static class MemcontrolExtensions
{
    extension(OomMachine machine)
    {
        /// <summary>mm/memcontrol.c over this machine's cgroups.</summary>
        public MemCgroups MemCgroups => new(machine);
    }
}
