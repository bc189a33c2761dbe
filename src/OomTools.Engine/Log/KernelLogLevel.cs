namespace OomTools.Engine.Log;

/// <summary>printk levels used by the OOM killer's messages.</summary>
public enum KernelLogLevel
{
    Emerg = 0,
    Err = 3,
    Warning = 4,
    Info = 6,
}
