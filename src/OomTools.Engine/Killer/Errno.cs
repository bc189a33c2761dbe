namespace OomTools.Engine.Killer;

/// <summary>The errno values the OOM killer's syscall returns (negated in the kernel).</summary>
public enum Errno
{
    Success = 0,
    ESRCH = 3,
    EINTR = 4,
    EAGAIN = 11,
    EINVAL = 22,
}
