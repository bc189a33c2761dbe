using System.Linq;
using OomTools.Engine.Model;
using OomTools.Engine.Units;
using Xunit;

namespace OomTools.Engine.Tests.Model;

/// <summary>
/// An mm keeps its flags, owner, mm_users and process count packed in 64 bits, and its counters in 32 bits each,
/// with the values that do not fit on a side object: every value reads back as written, before and after a copy.
/// </summary>
public class MemoryDescriptorPackingTests
{
    public static TheoryData<int> Ints => new() { 0, 1, 2, 65_534, 65_535, 65_536, (1 << 26) - 2, (1 << 26) - 1, 1 << 26, int.MaxValue, -1, int.MinValue };

    [Theory]
    [MemberData(nameof(Ints))]
    public void OwnerUsersAndProcesses_ReadBackAsWritten(int value)
    {
        var mm = new MemoryDescriptor { Flags = MmFlags.OomSkip | MmFlags.MultiProcess };
        mm.OwnerPid = value;
        mm.Users = value ^ 5;
        mm.processes = value ^ 3;
        Assert.Equal(value, mm.OwnerPid);
        Assert.Equal(value ^ 5, mm.Users);
        Assert.Equal(value ^ 3, mm.processes);
        Assert.Equal(MmFlags.OomSkip | MmFlags.MultiProcess, mm.Flags);

        mm.OwnerPid = 7;
        mm.Users = 8;
        mm.processes = 9;
        Assert.Equal((7, 8, 9), (mm.OwnerPid, mm.Users, mm.processes));
        mm.OwnerPid = value;
        mm.Users = value;
        var copy = mm.Clone();
        Assert.Equal((value, value, 0), (copy.OwnerPid, copy.Users, copy.processes));
        Assert.Equal(mm.Flags, copy.Flags);
    }

    [Fact]
    public void Flags_EveryCombinationAndUnknownBits_ReadBackAsWritten()
    {
        var known = new[] { MmFlags.OomSkip, MmFlags.Unstable, MmFlags.OomReapQueued, MmFlags.MultiProcess };
        var mm = new MemoryDescriptor { OwnerPid = 4_000_000, Users = 12 };
        for (int set = 0; set < 16; set++)
        {
            var f = known.Where((_, i) => (set & (1 << i)) != 0).Aggregate(MmFlags.None, (a, b) => a | b);
            mm.Flags = f;
            Assert.Equal(f, mm.Flags);
            Assert.Equal((f & MmFlags.OomSkip) != 0, mm.Has(MmFlags.OomSkip));
            mm.Flags = f | (MmFlags)1 | (MmFlags)int.MinValue;
            Assert.Equal(f | (MmFlags)1 | (MmFlags)int.MinValue, mm.Flags);
            Assert.Equal(f | (MmFlags)1 | (MmFlags)int.MinValue, mm.Clone().Flags);
        }
        mm.Flags = MmFlags.Unstable;
        Assert.Equal(MmFlags.Unstable, mm.Flags);
        Assert.Equal((4_000_000, 12), (mm.OwnerPid, mm.Users));
    }

    [Fact]
    public void Counters_AndPackedFields_DoNotDisturbEachOther()
    {
        var mm = new MemoryDescriptor
        {
            AnonPages = new Pages(long.MaxValue / 4), FilePages = new Pages(-3), ShmemPages = new Pages(int.MaxValue),
            SwapEntries = new Pages(int.MinValue), PageTableBytes = 1L << 40, TotalVm = new Pages(5),
            Flags = (MmFlags)(1 << 3), OwnerPid = int.MaxValue, Users = -7, MmapLockHeldForWrite = true,
        };
        mm.processes = 70_000;
        Assert.Equal(long.MaxValue / 4, mm.AnonPages.Value);
        Assert.Equal(-3, mm.FilePages.Value);
        Assert.Equal(int.MaxValue, mm.ShmemPages.Value);
        Assert.Equal(int.MinValue, mm.SwapEntries.Value);
        Assert.Equal(1L << 40, mm.PageTableBytes);
        Assert.Equal(5, mm.TotalVm.Value);
        Assert.Equal((MmFlags)(1 << 3), mm.Flags);
        Assert.Equal((int.MaxValue, -7, 70_000), (mm.OwnerPid, mm.Users, mm.processes));
        Assert.True(mm.MmapLockHeldForWrite);
    }
}
