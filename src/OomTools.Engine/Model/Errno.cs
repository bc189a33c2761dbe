namespace OomTools.Engine.Model;

/// <summary>The errno values process_mrelease and the /proc oom files return (negated in the kernel).</summary>
public enum Errno
{
    Success = 0,
    ESRCH = 3,
    EINTR = 4,
    EAGAIN = 11,
    EACCES = 13,
    EFAULT = 14,
    EINVAL = 22,
    ERANGE = 34,
}
