namespace OomTools.Engine.Model;

/// <summary>The errno values process_mrelease and the /proc oom files return (negated in the kernel).</summary>
public enum Errno
{
    /// <summary>0: the call succeeded.</summary>
    Success = 0,
    /// <summary><c>ESRCH</c> (3): no such process, or every thread has already released its mm.</summary>
    ESRCH = 3,
    /// <summary><c>EINTR</c> (4): interrupted while waiting (process_mrelease on <c>mmap_lock</c>).</summary>
    EINTR = 4,
    /// <summary><c>EAGAIN</c> (11): try again; process_mrelease could not reap the whole mm.</summary>
    EAGAIN = 11,
    /// <summary><c>EACCES</c> (13): permission denied, such as lowering oom_score_adj below <c>oom_score_adj_min</c> without CAP_SYS_RESOURCE.</summary>
    EACCES = 13,
    /// <summary><c>EFAULT</c> (14): a bad user address (part of the kernel's set; nothing in the model returns it).</summary>
    EFAULT = 14,
    /// <summary><c>EINVAL</c> (22): an invalid argument (non-zero flags, a process not dying, a value that does not parse).</summary>
    EINVAL = 22,
    /// <summary><c>ERANGE</c> (34): a number written to a /proc oom file that does not fit an int.</summary>
    ERANGE = 34,
}
