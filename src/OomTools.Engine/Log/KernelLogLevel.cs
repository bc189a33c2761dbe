namespace OomTools.Engine.Log;

/// <summary>printk levels used by the OOM killer's messages.</summary>
public enum KernelLogLevel
{
    /// <summary><c>KERN_EMERG</c> (0): the panic of vm.panic_on_oom.</summary>
    Emerg = 0,
    /// <summary><c>KERN_ERR</c> (3): the <c>Out of memory: Killed process</c> line.</summary>
    Err = 3,
    /// <summary><c>KERN_WARNING</c> (4): the <c>invoked oom-killer</c> line, the Mem-Info totals and the "callbacks suppressed" count.</summary>
    Warning = 4,
    /// <summary><c>KERN_INFO</c> (6): the rest of dump_header, the task table, the oom-kill line and the oom_reaper's lines.</summary>
    Info = 6,
}
