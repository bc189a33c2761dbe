namespace OomTools.Engine.Log;

/// <summary>
/// A printk format whose records keep their values (<see cref="KernelLogArgs"/>) and are turned into text only when
/// someone reads them: the OOM killer prints hundreds of lines per audit into logs no one reads, and a format
/// string applied at once boxes every number. One instance per message kind, shared by all its records.
/// </summary>
/// <remarks>
/// A new kind is a template (<see cref="Of"/>) and a typed writer on <see cref="KernelLog"/> (in a
/// <c>KernelLog.*.cs</c> file) that passes its values in slot order. A line that needs more slots than a record has,
/// or text computed from its values, derives its own format (the task row, the <c>invoked oom-killer</c> line, the
/// <c>oom-kill:</c> line).
/// </remarks>
internal abstract class KernelLogFormat
{
    /// <summary>The line <paramref name="args"/> print in this format (culture-invariant).</summary>
    internal abstract string Format(in KernelLogArgs args);

    /// <summary>
    /// A format written as the kernel's text with named slots: <c>{s0}</c>, <c>{s1}</c> for the strings and
    /// <c>{n0}</c> … <c>{n7}</c> for the numbers, each with an optional alignment or format (<c>{n0,7}</c>).
    /// </summary>
    internal static KernelLogFormat Of(string template) => new KernelLogTemplate(template);
}
