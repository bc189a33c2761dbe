using OomTools.Engine.Log;
using OomTools.Engine.Serialization;

namespace OomTools.Engine.Model;

public sealed partial class OomMachine
{
    /// <summary>
    /// The whole machine as an <c>oomtools.machine/v1</c> JSON document (see <see cref="OomMachineJson"/>):
    /// import it with <see cref="FromJson"/> to get the same machine back.
    /// </summary>
    public string ToJson() => OomMachineJson.Write(this);

    /// <summary>Rebuilds a machine from an <c>oomtools.machine</c> JSON document.</summary>
    /// <exception cref="System.FormatException">The text is not JSON.</exception>
    /// <exception cref="OomEngineException">The JSON is not a machine this version reads (InvalidArgument), or it
    /// describes an impossible one (the engine's own refusals: DuplicatePid, CgroupNotFound, ...).</exception>
    public static OomMachine FromJson(string json) => OomMachineJson.Read(json);

    /// <summary>The pid <see cref="AddTask"/> tries first when none is given.</summary>
    internal int NextPid
    {
        get => nextPid;
        set => nextPid = value;
    }

    /// <summary>Puts a restored kernel log in place (its records keep their own timestamps).</summary>
    internal void RestoreLog(KernelLog log) => Log = log;
}
