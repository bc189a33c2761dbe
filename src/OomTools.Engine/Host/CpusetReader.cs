using System;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Host;

/// <summary>
/// Creates a host's cpuset (and its parents) in the machine with the nodes cgroupfs shows: v1 <c>cpuset.mems</c>
/// and <c>cpuset.mem_hardwall</c>/<c>cpuset.mem_exclusive</c>, v2 <c>cpuset.mems.effective</c>. A cpuset whose
/// nodes cannot be read, or name no node of the machine, takes its parent's.
/// </summary>
internal static class CpusetReader
{
    public static Cpuset Ensure(OomMachine machine, IHostFileSystem fs, string root, string path, bool v1, Action<string> warn)
    {
        if (machine.FindCpuset(path) is { } existing) return existing;
        Cpuset cs = machine.RootCpuset;
        string sofar = "";
        foreach (var part in path.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries))
        {
            sofar += "/" + part;
            if (machine.FindCpuset(sofar) is { } found) { cs = found; continue; }
            var dir = HostSnapshot.Join(root, sofar.TrimStart('/'));
            var mems = Mems(HostSnapshot.Read(fs, HostSnapshot.Join(dir, v1 ? "cpuset.mems" : "cpuset.mems.effective"), warn), machine) ?? cs.Mems;
            bool hardwall = v1 && (Flag(fs, dir, "cpuset.mem_hardwall", warn) || Flag(fs, dir, "cpuset.mem_exclusive", warn));
            cs = machine.CreateCpuset(sofar, mems, hardwall);
        }
        return cs;
    }

    private static NodeMask? Mems(string? text, OomMachine machine)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            var mask = NodeMask.Parse(text!.Trim()).Intersect(machine.NodesWithMemory);
            return mask.IsEmpty ? null : mask;
        }
        catch (FormatException) { return null; }
        catch (ArgumentOutOfRangeException) { return null; }
    }

    private static bool Flag(IHostFileSystem fs, string dir, string file, Action<string> warn) =>
        HostSnapshot.Read(fs, HostSnapshot.Join(dir, file), warn)?.Trim() == "1";
}
