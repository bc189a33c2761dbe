using System.Linq;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Model;

/// <summary>
/// OomScoreAdjWriter against fs/proc/base.c (kernel-notes §1.3–1.5): the legacy conversions both ways, kstrtoint
/// with base 0, the 12-character buffer, the errno of every refusal, the oom_score_adj_min rule for writers
/// without CAP_SYS_RESOURCE, and __set_oom_adj's propagation to processes sharing the mm.
/// </summary>
public class OomScoreAdjWriterTests
{
    private static OomMachine OneTask(out OomTask t, int adj = 0, int? min = null)
    {
        var m = TestMachines.Machine();
        t = m.Add(100, anon: 1000, adj: adj, with: s => s.OomScoreAdjMin = min is { } v ? OomScoreAdj.From(v) : null);
        return m;
    }

    // §1.3 oom_adj_read: 1000 -> 15, else adj * 17 / 1000 truncated toward 0, capped at 15.
    [Theory]
    [InlineData(-1000, -17)]
    [InlineData(-999, -16)]
    [InlineData(-941, -15)]
    [InlineData(-58, 0)]
    [InlineData(0, 0)]
    [InlineData(58, 0)]
    [InlineData(59, 1)]
    [InlineData(823, 13)]
    [InlineData(999, 15)]     // 999 * 17 / 1000 = 16, capped
    [InlineData(1000, 15)]
    public void ReadOomAdj_KernelNotesExamples(int oomScoreAdj, int oomAdj)
    {
        OneTask(out var t, adj: oomScoreAdj);

        Assert.Equal(oomAdj, OomScoreAdjWriter.ReadOomAdj(t));
    }

    // §1.4 oom_adj_write: 15 -> 1000, else v * 1000 / 17 truncated toward 0.
    [Theory]
    [InlineData(-17, -1000)]
    [InlineData(-16, -941)]
    [InlineData(-1, -58)]
    [InlineData(0, 0)]
    [InlineData(1, 58)]
    [InlineData(14, 823)]
    [InlineData(15, 1000)]
    public void LegacyToScoreAdj_KernelNotesExamples(int oomAdj, int oomScoreAdj)
    {
        Assert.Equal(oomScoreAdj, OomScoreAdjWriter.LegacyToScoreAdj(oomAdj));
    }

    [Theory]
    [InlineData(-17, -1000)]
    [InlineData(-16, -941)]
    [InlineData(-1, -58)]
    [InlineData(0, 0)]
    [InlineData(1, 58)]
    [InlineData(14, 823)]
    [InlineData(15, 1000)]
    public void WriteOomAdj_Privileged_StoresTheConvertedValue(int oomAdj, int oomScoreAdj)
    {
        var m = OneTask(out var t);

        var c = OomScoreAdjWriter.WriteOomAdj(m, t, oomAdj.ToString(System.Globalization.CultureInfo.InvariantCulture), privileged: true);

        Assert.Equal(Errno.Success, c.Errno);
        Assert.Equal(oomScoreAdj, t.OomScoreAdj.Value);
        Assert.Equal(0, t.OomScoreAdjMin.Value);   // the legacy path never sets oom_score_adj_min
    }

    [Fact]
    public void LegacyConversion_DoesNotRoundTrip()
    {
        var m = OneTask(out var t);

        OomScoreAdjWriter.WriteOomAdj(m, t, "14", privileged: false);

        Assert.Equal(823, t.OomScoreAdj.Value);
        Assert.Equal(13, OomScoreAdjWriter.ReadOomAdj(t));   // 823 * 17 / 1000 = 13
    }

    // kstrtoint(strstrip(buf), 0): base from the prefix, surrounding white space stripped, one sign.
    [Theory]
    [InlineData("0x10", 16)]
    [InlineData("0X1f", 31)]
    [InlineData("010", 8)]
    [InlineData("0", 0)]
    [InlineData("500", 500)]
    [InlineData("+5", 5)]
    [InlineData("-0x3e8", -1000)]
    [InlineData("-010", -8)]
    [InlineData(" 7\n", 7)]
    [InlineData("\t-250 \n", -250)]
    [InlineData("1000", 1000)]
    public void WriteOomScoreAdj_ParsesLikeKstrtointBase0(string text, int value)
    {
        var m = OneTask(out var t);

        var c = OomScoreAdjWriter.WriteOomScoreAdj(m, t, text, privileged: true);

        Assert.Equal(Errno.Success, c.Errno);
        Assert.Equal(value, t.OomScoreAdj.Value);
        Assert.Equal(value, c.NewOomScoreAdj);
        Assert.Equal(0, c.OldOomScoreAdj);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("-")]
    [InlineData("0x")]      // no hex digit after 0x: octal 0 followed by 'x'
    [InlineData("08")]      // octal has no 8
    [InlineData("0x1g")]
    [InlineData("1.5")]
    [InlineData("12 3")]
    [InlineData("+-5")]
    [InlineData("--5")]
    [InlineData("1001")]    // parses, but outside -1000..1000
    [InlineData("-1001")]
    [InlineData("0x3e9")]   // 1001
    public void WriteOomScoreAdj_Einval(string text)
    {
        var m = OneTask(out var t, adj: 7);

        var c = OomScoreAdjWriter.WriteOomScoreAdj(m, t, text, privileged: true);

        Assert.Equal(Errno.EINVAL, c.Errno);
        Assert.Equal(7, t.OomScoreAdj.Value);     // nothing changed
        Assert.Equal(7, c.NewOomScoreAdj);
    }

    [Theory]
    [InlineData("2147483648")]     // INT_MAX + 1
    [InlineData("-2147483649")]    // INT_MIN - 1
    [InlineData("99999999999")]
    [InlineData("0x100000000")]
    public void WriteOomScoreAdj_OverflowIsErange(string text)
    {
        var m = OneTask(out var t);

        Assert.Equal(Errno.ERANGE, OomScoreAdjWriter.WriteOomScoreAdj(m, t, text, privileged: true).Errno);
        Assert.Equal(Errno.ERANGE, OomScoreAdjWriter.WriteOomAdj(m, t, text, privileged: true).Errno);
        Assert.Equal(0, t.OomScoreAdj.Value);
    }

    [Fact]
    public void IntBoundaries_ParseAndThenFailTheRangeCheck()
    {
        var m = OneTask(out var t);

        // 2147483647 and -2147483648 fit an int: kstrtoint accepts them, the range check gives EINVAL, not ERANGE.
        Assert.Equal(Errno.EINVAL, OomScoreAdjWriter.WriteOomScoreAdj(m, t, "2147483647", true).Errno);
        Assert.Equal(Errno.EINVAL, OomScoreAdjWriter.WriteOomScoreAdj(m, t, "-2147483648", true).Errno);
    }

    // Only PROC_NUMBUF - 1 = 12 bytes are copied from the write.
    [Theory]
    [InlineData("0000000000100", 8)]       // 13 chars: "000000000010" is kept, octal 010 = 8
    [InlineData("5           x", 5)]       // 5, 11 spaces, then an x that is never seen
    [InlineData("-1000       junk", -1000)]
    [InlineData("000000000500", 320)]      // exactly 12: octal 500 = 320
    public void OnlyTwelveCharactersAreRead(string text, int value)
    {
        var m = OneTask(out var t);

        var c = OomScoreAdjWriter.WriteOomScoreAdj(m, t, text, privileged: true);

        Assert.Equal(Errno.Success, c.Errno);
        Assert.Equal(value, t.OomScoreAdj.Value);
    }

    [Fact]
    public void TwelveSpacesThenADigit_IsEinval()
    {
        var m = OneTask(out var t);

        // The 13th character, the 5, is cut off: what is left is blank.
        Assert.Equal(Errno.EINVAL, OomScoreAdjWriter.WriteOomScoreAdj(m, t, "            5", privileged: true).Errno);
    }

    // oom_adj_write: -17 (OOM_DISABLE) or -16..15.
    [Theory]
    [InlineData("-18")]
    [InlineData("16")]
    [InlineData("1000")]
    [InlineData("x")]
    public void WriteOomAdj_OutOfItsRange_IsEinval(string text)
    {
        var m = OneTask(out var t);

        Assert.Equal(Errno.EINVAL, OomScoreAdjWriter.WriteOomAdj(m, t, text, privileged: true).Errno);
        Assert.Equal(0, t.OomScoreAdj.Value);
    }

    [Fact]
    public void WriteOomAdj_ParsesBase0Too()
    {
        var m = OneTask(out var t);

        // 0xf = 15 -> 1000; "-021" is octal -17 -> -1000.
        Assert.Equal(Errno.Success, OomScoreAdjWriter.WriteOomAdj(m, t, "0xf", privileged: false).Errno);
        Assert.Equal(1000, t.OomScoreAdj.Value);
        Assert.Equal(Errno.Success, OomScoreAdjWriter.WriteOomAdj(m, t, "-021", privileged: true).Errno);
        Assert.Equal(-1000, t.OomScoreAdj.Value);
    }

    // __set_oom_adj: the writer's CAP_SYS_RESOURCE.
    [Fact]
    public void Unprivileged_MayNotGoBelowOomScoreAdjMin_Eacces()
    {
        var m = OneTask(out var t, adj: 0, min: -500);

        var below = OomScoreAdjWriter.WriteOomScoreAdj(m, t, "-501", privileged: false);
        Assert.Equal(Errno.EACCES, below.Errno);
        Assert.Equal(0, t.OomScoreAdj.Value);

        var atMin = OomScoreAdjWriter.WriteOomScoreAdj(m, t, "-500", privileged: false);
        Assert.Equal(Errno.Success, atMin.Errno);
        Assert.Equal(-500, t.OomScoreAdj.Value);
        Assert.Equal(-500, t.OomScoreAdjMin.Value);       // unchanged: an unprivileged write never sets the min
    }

    [Fact]
    public void Unprivileged_MayLowerBackDownToTheMin()
    {
        var m = OneTask(out var t, adj: 0);   // min 0, as inherited from init

        Assert.Equal(Errno.Success, OomScoreAdjWriter.WriteOomScoreAdj(m, t, "800", privileged: false).Errno);
        Assert.Equal(Errno.Success, OomScoreAdjWriter.WriteOomScoreAdj(m, t, "0", privileged: false).Errno);
        Assert.Equal(Errno.EACCES, OomScoreAdjWriter.WriteOomScoreAdj(m, t, "-1", privileged: false).Errno);
        Assert.Equal(0, t.OomScoreAdj.Value);
        Assert.Equal(0, t.OomScoreAdjMin.Value);
    }

    [Fact]
    public void Privileged_SetsTheMin_WhenLowering()
    {
        var m = OneTask(out var t);

        var c = OomScoreAdjWriter.WriteOomScoreAdj(m, t, "-800", privileged: true);

        Assert.Equal(Errno.Success, c.Errno);
        Assert.Equal(-800, t.OomScoreAdj.Value);
        Assert.Equal(-800, t.OomScoreAdjMin.Value);
        Assert.Equal(0, c.OldOomScoreAdjMin);
        Assert.Equal(-800, c.NewOomScoreAdjMin);
        // Now an unprivileged writer may go back down to -800, not below.
        Assert.Equal(Errno.Success, OomScoreAdjWriter.WriteOomScoreAdj(m, t, "100", privileged: false).Errno);
        Assert.Equal(Errno.Success, OomScoreAdjWriter.WriteOomScoreAdj(m, t, "-800", privileged: false).Errno);
        Assert.Equal(Errno.EACCES, OomScoreAdjWriter.WriteOomScoreAdj(m, t, "-801", privileged: false).Errno);
    }

    [Fact]
    public void Privileged_SetsTheMin_WhenRaisingToo()
    {
        var m = OneTask(out var t, adj: -200, min: -200);

        Assert.Equal(Errno.Success, OomScoreAdjWriter.WriteOomScoreAdj(m, t, "300", privileged: true).Errno);

        Assert.Equal(300, t.OomScoreAdjMin.Value);
        // The raised min binds unprivileged writers: 299 is below it.
        Assert.Equal(Errno.EACCES, OomScoreAdjWriter.WriteOomScoreAdj(m, t, "299", privileged: false).Errno);
        Assert.Equal(Errno.Success, OomScoreAdjWriter.WriteOomScoreAdj(m, t, "1000", privileged: false).Errno);
    }

    [Fact]
    public void Legacy_Unprivileged_MayOnlyRaise()
    {
        var m = OneTask(out var t, adj: 100, min: -1000);

        // 1 -> 58 < 100: a lowering, refused although 58 is above the min.
        var lower = OomScoreAdjWriter.WriteOomAdj(m, t, "1", privileged: false);
        Assert.Equal(Errno.EACCES, lower.Errno);
        Assert.Equal(100, t.OomScoreAdj.Value);
        // 2 -> 117 > 100: a raise.
        Assert.Equal(Errno.Success, OomScoreAdjWriter.WriteOomAdj(m, t, "2", privileged: false).Errno);
        Assert.Equal(117, t.OomScoreAdj.Value);   // 2000 / 17 = 117
        // The same value again is no lowering.
        Assert.Equal(Errno.Success, OomScoreAdjWriter.WriteOomAdj(m, t, "2", privileged: false).Errno);
        Assert.Equal(-1000, t.OomScoreAdjMin.Value);
    }

    [Fact]
    public void Legacy_Privileged_MayLower_ButLeavesTheMin()
    {
        var m = OneTask(out var t, adj: 100, min: 50);

        var c = OomScoreAdjWriter.WriteOomAdj(m, t, "-17", privileged: true);

        Assert.Equal(Errno.Success, c.Errno);
        Assert.Equal(-1000, t.OomScoreAdj.Value);
        Assert.Equal(50, t.OomScoreAdjMin.Value);
    }

    [Fact]
    public void Legacy_PrintsTheDeprecationWarning_AfterThePermissionCheck()
    {
        var m = OneTask(out var t, adj: 100);
        int before = m.Log.Count;

        OomScoreAdjWriter.WriteOomAdj(m, t, "-1", privileged: false);   // EACCES: no warning
        Assert.Equal(before, m.Log.Count);
        OomScoreAdjWriter.WriteOomAdj(m, t, "3", privileged: false);
        Assert.Contains(m.Log.Entries.Texts(), l => l.EndsWith("/proc/100/oom_adj is deprecated, please use /proc/100/oom_score_adj instead.", System.StringComparison.Ordinal));
    }

    [Fact]
    public void GoneProcess_IsEsrch()
    {
        var m = OneTask(out var t, adj: 5);
        m.RemoveTask(t);

        var c = OomScoreAdjWriter.WriteOomScoreAdj(m, t, "10", privileged: true);

        Assert.Equal(Errno.ESRCH, c.Errno);
        Assert.Equal(5, t.OomScoreAdj.Value);
        Assert.Equal(Errno.ESRCH, OomScoreAdjWriter.WriteOomAdj(m, t, "3", privileged: true).Errno);
    }

    [Fact]
    public void ParseErrorsComeBeforeEsrch()
    {
        // oom_score_adj_write parses the buffer before __set_oom_adj looks the task up.
        var m = OneTask(out var t);
        m.RemoveTask(t);

        Assert.Equal(Errno.EINVAL, OomScoreAdjWriter.WriteOomScoreAdj(m, t, "nope", privileged: true).Errno);
    }

    /// <summary>
    /// 100 owns an mm; 101 shares it through CLONE_VM (MMF_MULTIPROCESS); 102 shares it but is a vfork child;
    /// 103 is a kernel thread using it (kthread_use_mm); 1 (global init) shares it too; 200 has its own mm.
    /// </summary>
    private static OomMachine Sharers()
    {
        var m = TestMachines.Machine();
        m.Add(100, anon: 1000);
        m.AddSharer(1, 100, name: "init");
        m.AddSharer(101, 100);
        m.AddSharer(102, 100, with: s => s.InVfork = true);
        m.AddSharer(103, 100, with: s => s.KernelThread = true);
        m.Add(200, anon: 10);
        return m;
    }

    [Fact]
    public void Propagation_ReachesClonevmSharers_NotVforkChildrenKernelThreadsOrInit()
    {
        var m = Sharers();

        var c = OomScoreAdjWriter.WriteOomScoreAdj(m, m.GetTask(100), "300", privileged: false);

        Assert.Equal(Errno.Success, c.Errno);
        Assert.Equal(new[] { 101 }, c.PropagatedTo.ToArray());
        Assert.Equal(300, m.GetTask(100).OomScoreAdj.Value);
        Assert.Equal(300, m.GetTask(101).OomScoreAdj.Value);
        Assert.Equal(0, m.GetTask(102).OomScoreAdj.Value);   // vfork child
        Assert.Equal(0, m.GetTask(103).OomScoreAdj.Value);   // kernel thread
        Assert.Equal(0, m.GetTask(1).OomScoreAdj.Value);     // global init
        Assert.Equal(0, m.GetTask(200).OomScoreAdj.Value);   // another mm
        Assert.Equal(0, m.GetTask(101).OomScoreAdjMin.Value);   // unprivileged: no min anywhere
    }

    [Fact]
    public void Propagation_FromASharer_ReachesTheOwner_AndCarriesTheMinWhenPrivileged()
    {
        var m = Sharers();

        var c = OomScoreAdjWriter.WriteOomScoreAdj(m, m.GetTask(101), "-400", privileged: true);

        Assert.Equal(new[] { 100 }, c.PropagatedTo.ToArray());
        Assert.Equal(-400, m.GetTask(100).OomScoreAdj.Value);
        Assert.Equal(-400, m.GetTask(100).OomScoreAdjMin.Value);
        Assert.Equal(-400, m.GetTask(101).OomScoreAdjMin.Value);
        Assert.Equal(0, m.GetTask(102).OomScoreAdjMin.Value);
    }

    [Fact]
    public void Propagation_LegacyWrite_ConvertsOnceAndNeverSetsTheMin()
    {
        var m = Sharers();

        var c = OomScoreAdjWriter.WriteOomAdj(m, m.GetTask(100), "14", privileged: true);

        Assert.Equal(new[] { 101 }, c.PropagatedTo.ToArray());
        Assert.Equal(823, m.GetTask(101).OomScoreAdj.Value);
        Assert.Equal(0, m.GetTask(101).OomScoreAdjMin.Value);
    }

    [Fact]
    public void WritingAVforkChild_DoesNotPropagate()
    {
        var m = Sharers();

        // The target is a vfork child (task->vfork_done): mm stays NULL, so only the child changes.
        var c = OomScoreAdjWriter.WriteOomScoreAdj(m, m.GetTask(102), "700", privileged: false);

        Assert.Equal(Errno.Success, c.Errno);
        Assert.Empty(c.PropagatedTo);
        Assert.Equal(700, m.GetTask(102).OomScoreAdj.Value);
        Assert.Equal(0, m.GetTask(100).OomScoreAdj.Value);
        Assert.Equal(0, m.GetTask(101).OomScoreAdj.Value);
    }

    [Fact]
    public void WithoutMultiprocess_NothingPropagates()
    {
        var m = Sharers();

        var c = OomScoreAdjWriter.WriteOomScoreAdj(m, m.GetTask(200), "900", privileged: false);

        Assert.Empty(c.PropagatedTo);
        Assert.Equal(900, m.GetTask(200).OomScoreAdj.Value);
        Assert.Equal(0, m.GetTask(100).OomScoreAdj.Value);
    }

    [Fact]
    public void RefusedWrite_PropagatesNothing()
    {
        var m = Sharers();

        var c = OomScoreAdjWriter.WriteOomScoreAdj(m, m.GetTask(100), "-1", privileged: false);

        Assert.Equal(Errno.EACCES, c.Errno);
        Assert.Empty(c.PropagatedTo);
        Assert.Equal(0, m.GetTask(101).OomScoreAdj.Value);
    }

    [Fact]
    public void Change_ReportsOldAndNew()
    {
        var m = OneTask(out var t, adj: 40, min: -10);

        var c = OomScoreAdjWriter.WriteOomScoreAdj(m, t, "0x64", privileged: false);

        Assert.Same(t, c.Task);
        Assert.Equal(100, c.Pid);
        Assert.Equal(40, c.OldOomScoreAdj);
        Assert.Equal(100, c.NewOomScoreAdj);
        Assert.Equal(-10, c.OldOomScoreAdjMin);
        Assert.Equal(-10, c.NewOomScoreAdjMin);
        Assert.Equal("100 (task100): oom_score_adj 40 -> 100", c.ToString());
    }

    /// <summary>
    /// CheckWrite answers with the errno oom_score_adj_write / oom_adj_write would return, and writes nothing:
    /// a caller writing several processes checks them all first (issue 10, case 4).
    /// </summary>
    [Theory]
    [InlineData("500", false, false, Errno.Success)]
    [InlineData("-600", false, false, Errno.EACCES)]      // below oom_score_adj_min -500 without CAP_SYS_RESOURCE
    [InlineData("-600", false, true, Errno.Success)]
    [InlineData("1001", false, true, Errno.EINVAL)]
    [InlineData("lots", false, true, Errno.EINVAL)]
    [InlineData("99999999999", false, true, Errno.ERANGE)]
    [InlineData("-16", true, false, Errno.EACCES)]        // the legacy file may only raise it unprivileged
    [InlineData("15", true, false, Errno.Success)]
    public void CheckWrite_GivesTheErrno_AndWritesNothing(string text, bool legacy, bool privileged, Errno errno)
    {
        var m = OneTask(out var t, adj: -200, min: -500);
        int log = m.Log.Count;

        Assert.Equal(errno, OomScoreAdjWriter.CheckWrite(m, t, text, legacy, privileged).Errno);

        Assert.Equal(-200, (int)t.OomScoreAdj);
        Assert.Equal(-500, (int)t.OomScoreAdjMin);
        Assert.Equal(log, m.Log.Count);
        Assert.False(m.OomAdjDeprecationWarned);
    }
}
