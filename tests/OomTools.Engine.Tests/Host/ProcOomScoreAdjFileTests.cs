using System;
using System.IO;
using OomTools.Engine.Host;
using OomTools.Engine.Killer;
using Xunit;

namespace OomTools.Engine.Tests.Host;

/// <summary>
/// ProcOomScoreAdjFile: writing a real (or saved) /proc/PID/oom_score_adj, and the errno a refused write is named
/// by — worked out from the exception's type and the errno .NET carries, not by the caller.
/// </summary>
public class ProcOomScoreAdjFileTests : IDisposable
{
    private readonly string root = Path.Combine(Path.GetTempPath(), "oomtools-proc-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(root)) Directory.Delete(root, recursive: true);
    }

    [Fact]
    public void PathOf_NamesOomScoreAdjOrTheLegacyOomAdj()
    {
        Assert.Equal("/proc/4242/oom_score_adj", ProcOomScoreAdjFile.PathOf("/proc", 4242, legacy: false));
        Assert.Equal("/tmp/proc/7/oom_adj", ProcOomScoreAdjFile.PathOf("/tmp/proc/", 7, legacy: true));
    }

    [Fact]
    public void Write_WritesTheTextUnparsedAndReadsItBack()
    {
        Directory.CreateDirectory(Path.Combine(root, "4242"));
        var path = ProcOomScoreAdjFile.PathOf(root, 4242, legacy: false);

        var errno = ProcOomScoreAdjFile.Write(path, "0x10", out var readBack);

        Assert.Equal(Errno.Success, errno);
        Assert.Equal("0x10", readBack);   // a plain file keeps the text; the kernel's reads back 16
        Assert.Equal("0x10", File.ReadAllText(path));
    }

    [Fact]
    public void Write_APidWithoutAFolderIsEsrchAsAResult()
    {
        var errno = ProcOomScoreAdjFile.Write(ProcOomScoreAdjFile.PathOf(root, 4243, legacy: false), "1", out var failure);

        Assert.Equal(Errno.ESRCH, errno);
        Assert.Contains("4243", failure);   // the system's description names the path
    }

    [Fact]
    public void ErrnoOf_DeniedAccessIsEacces()
    {
        Assert.Equal(Errno.EACCES, ProcOomScoreAdjFile.ErrnoOf(new UnauthorizedAccessException("Access to the path is denied.")));
    }

    [Fact]
    public void ErrnoOf_AMissingFileOrFolderIsEsrch()
    {
        Assert.Equal(Errno.ESRCH, ProcOomScoreAdjFile.ErrnoOf(new FileNotFoundException("gone")));
        Assert.Equal(Errno.ESRCH, ProcOomScoreAdjFile.ErrnoOf(new DirectoryNotFoundException("gone")));
    }

    [Theory]
    [InlineData(3, "No such process", Errno.ESRCH)]
    [InlineData(22, "Invalid argument", Errno.EINVAL)]
    [InlineData(34, "Numerical result out of range", Errno.ERANGE)]
    public void ErrnoOf_TakesTheErrnoDotnetCarriesInTheHResult(int hresult, string message, Errno errno)
    {
        Assert.Equal(errno, ProcOomScoreAdjFile.ErrnoOf(new IOException(message, hresult)));
        Assert.Equal(errno, ProcOomScoreAdjFile.ErrnoOf(new IOException("(no text)", hresult)));
    }

    [Theory]
    [InlineData("No such process", Errno.ESRCH)]
    [InlineData("Numerical result out of range", Errno.ERANGE)]
    [InlineData("Invalid argument", Errno.EINVAL)]
    [InlineData("Input/output error", Errno.EINVAL)]
    public void ErrnoOf_WithoutAnErrnoTheMessageDecidesAndTheRestIsEinval(string message, Errno errno)
    {
        Assert.Equal(errno, ProcOomScoreAdjFile.ErrnoOf(new IOException(message, unchecked((int)0x80070000))));
    }

    [Fact]
    public void ErrnoOf_AnErrnoTheOomFilesNeverReturnFallsBackToTheMessage()
    {
        Assert.Equal(Errno.EINVAL, ProcOomScoreAdjFile.ErrnoOf(new IOException("Resource temporarily unavailable", 11)));
    }
}
