using OomTools.Engine.Model;

namespace OomTools.Engine.Serialization;

/// <summary>
/// A machine to and from its <c>oomtools.machine/v1</c> JSON document, as <c>machine.ToJson()</c> and
/// <c>OomMachine.FromJson(json)</c> (C#; PowerShell reaches <see cref="OomMachineJson"/> itself).
/// </summary>
public static class SerializationExtensions
{
    extension(OomMachine machine)
    {
        /// <summary>
        /// The whole machine as an <c>oomtools.machine/v1</c> JSON document (see <see cref="OomMachineJson"/>):
        /// import it with <c>OomMachine.FromJson</c> to get the same machine back.
        /// </summary>
        public string ToJson() => OomMachineJson.Write(machine);
    }

    extension(OomMachine)
    {
        /// <summary>Rebuilds a machine from an <c>oomtools.machine</c> JSON document.</summary>
        /// <exception cref="System.FormatException">The text is not JSON.</exception>
        /// <exception cref="OomEngineException">The JSON is not a machine this version reads (InvalidArgument), or it
        /// describes an impossible one (the engine's own refusals: DuplicatePid, CgroupNotFound, ...).</exception>
        public static OomMachine FromJson(string json) => OomMachineJson.Read(json);
    }
}
