using System;
using System.Runtime.InteropServices;

namespace OomTools.Engine.Host;

/// <summary>
/// <c>kcmp(pid1, pid2, KCMP_VM, 0, 0)</c> (kernel/kcmp.c): whether two tasks' <c>mm</c> pointers are the same, through
/// libc's <c>syscall()</c>. The kernel orders the two pointers after obfuscating them (0 equal, 1 less, 2 greater), a
/// total order for one boot, so equal mms can be found by sorting. It needs ptrace read access to both tasks
/// (PTRACE_MODE_READ_REALCREDS: root, or the caller's own processes) and a kernel built with CONFIG_KCMP.
/// </summary>
public sealed class KcmpMmIdentity : IMmIdentity
{
    private const int KCMP_VM = 1;
    private const int ENOSYS = 38, EPERM = 1, ESRCH = 3, EACCES = 13;

    private readonly long number;
    private string? unavailable;

    /// <summary>The kcmp of this host; <see cref="Unavailable"/> says why when it has none.</summary>
    public KcmpMmIdentity()
    {
        number = SyscallNumber();
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) unavailable = "kcmp(2) is a Linux call and this is not Linux";
        else if (number < 0) unavailable = $"kcmp(2)'s number on {RuntimeInformation.ProcessArchitecture} is not known here";
    }

    /// <summary>Why no comparison can be made on this host (not Linux, no kcmp, libc not found); null while it can.</summary>
    public string? Unavailable => unavailable;

    /// <summary>kcmp's syscall number: 312 on x86_64, 272 on aarch64 (the generic table), 349 on i386, 378 on 32-bit arm; -1 elsewhere.</summary>
    public static long SyscallNumber() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 312,
        Architecture.Arm64 => 272,
        Architecture.X86 => 349,
        Architecture.Arm => 378,
        _ => -1,
    };

    /// <inheritdoc/>
    public int? Compare(int pid1, int pid2, out string? error)
    {
        error = unavailable;
        if (unavailable is not null) return null;
        long r;
        int errno;
        // kcmp returns a small int; IntPtr keeps the call right where C's long is 32 bits (i386, arm).
        try
        {
            r = (long)Native.syscall(new IntPtr(number), new IntPtr(pid1), new IntPtr(pid2), new IntPtr(KCMP_VM), IntPtr.Zero, IntPtr.Zero);
            errno = r < 0 ? Marshal.GetLastWin32Error() : 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException)
        {
            error = unavailable = $"libc's syscall() could not be called ({e.GetType().Name})";
            return null;
        }
        switch (r)
        {
            case 0: return 0;
            case 1: return -1;
            case 2: return 1;
        }
        error = errno switch
        {
            ENOSYS => unavailable = "this kernel has no kcmp(2) (CONFIG_KCMP off)",
            EPERM or EACCES => "kcmp(2): no ptrace access (run as root, or the processes' owner)",
            ESRCH => "kcmp(2): the process has exited",
            _ => $"kcmp(2) failed (errno {errno})",
        };
        return null;
    }

    private static class Native
    {
        // syscall(2) is variadic; every argument here is an integer, passed in integer registers as for a plain call.
        [DllImport("libc", SetLastError = true)]
        public static extern IntPtr syscall(IntPtr number, IntPtr a1, IntPtr a2, IntPtr a3, IntPtr a4, IntPtr a5);
    }
}
