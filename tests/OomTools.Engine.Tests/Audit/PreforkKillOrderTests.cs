using System.Linq;
using OomTools.Engine.Audit;
using OomTools.Engine.Model;
using OomTools.Engine.Units;
using Xunit;
using static OomTools.Engine.Tests.TestMachines;

namespace OomTools.Engine.Tests.Audit;

/// <summary>
/// A prefork database host: a postgres-like postmaster with 8 GiB of shared buffers (MAP_SHARED|MAP_ANONYMOUS,
/// charged to its cgroup) mapped by 16 backends on a 16 GiB machine. Every backend's rss counts the buffers, so
/// each scores above 8 GiB; but a kill gives back only what no survivor maps — the buffers go once, with the last
/// mapper.
/// </summary>
public class PreforkKillOrderTests
{
    private const long GiB = 262_144;       // pages of 4 KiB
    private const long Buffers = 8 * GiB;   // 2,097,152 pages
    private const long Cow = 5_120;         // 20 MiB of the postmaster's heap still shared copy-on-write

    /// <summary>Backend <c>100+i</c> has 100 MiB + 10 MiB·i of its own anonymous memory.</summary>
    private static long Own(int i) => 25_600 + 2_560 * i;

    private static OomMachine Prefork(int postmasterAdj)
    {
        var m = Machine(ram: 16 * GiB);
        m.Add(100, anon: 10_240, adj: postmasterAdj, name: "postgres", with: s =>
            s.Shared.Add(new SharedMapping { Kind = SharedMemoryKind.SharedAnon, Name = "pg-shared-buffers", Pages = new Pages(Buffers) }));
        for (int i = 1; i <= 16; i++)
        {
            m.Add(100 + i, anon: Cow + Own(i), name: "postgres", with: s =>
            {
                s.Shared.Add(new SharedMapping { Kind = SharedMemoryKind.CowAnon, With = 100, Pages = new Pages(Cow) });
                s.Shared.Add(new SharedMapping { Kind = SharedMemoryKind.SharedAnon, Name = "pg-shared-buffers" });
            });
        }
        return m;
    }

    [Fact]
    public void EveryBackendScoresTheBuffers_ButTheMachineCountsThemOnce()
    {
        var m = Prefork(0);

        // get_mm_rss of a backend: its own pages, the copy-on-write pages and the 8 GiB of buffers it maps.
        Assert.Equal(Cow + Own(16) + Buffers, m.GetTask(116).Rss.Value);
        // In use: the buffers once, the postmaster's 40 MiB (20 of them shared) and each backend's own pages.
        long own = Enumerable.Range(1, 16).Sum(i => Own(i));
        Assert.Equal(16 * GiB - (Buffers + 10_240 + own), m.PageAllocator.FreePages().Value);
    }

    [Fact]
    public void KillOrder_FreesTheSharedBuffersOnce_WithTheLastMapper()
    {
        var m = Prefork(0);

        var steps = OomAudit.KillOrder(m, new OomRequest(), int.MaxValue);

        // Backends by their own memory, largest first (all map the same buffers), then the postmaster.
        Assert.Equal(Enumerable.Range(1, 16).Select(i => 116 - i + 1).Append(100).ToArray(), steps.Select(s => s.Pid).ToArray());
        // A backend's kill gives back its own anonymous pages only: the postmaster still maps the buffers and the
        // copy-on-write pages.
        for (int k = 0; k < 16; k++) Assert.Equal(Own(16 - k), steps[k].Freed.Value);
        // The postmaster is the last mapper: its 20 MiB of own heap, the 20 MiB pool and the 8 GiB of buffers.
        Assert.Equal(5_120 + Cow + Buffers, steps[16].Freed.Value);
        long total = Enumerable.Range(1, 16).Sum(i => Own(i)) + 10_240 + Buffers;
        Assert.Equal(total, steps[16].TotalFreed.Value);
        Assert.True(steps[16].TotalFreed.Value < 16 * GiB);
        // 2,865,152 pages: about 10.9 GiB, what the host really holds.
        Assert.Equal(2_865_152, total);
    }

    [Fact]
    public void KillOrder_WithTheUnkillablePostmaster_NeverFreesTheBuffers()
    {
        // postgres writes -1000 to its postmaster's oom_score_adj: killing every backend leaves the buffers mapped.
        var m = Prefork(-1000);

        var steps = OomAudit.KillOrder(m, new OomRequest(), int.MaxValue);

        Assert.Equal(16, steps.Count);
        Assert.DoesNotContain(steps, s => s.Pid == 100);
        Assert.Equal(Enumerable.Range(1, 16).Sum(i => Own(i)), steps[15].TotalFreed.Value);
        // 1 GiB takes five backends: 66,560 + 64,000 + 61,440 + 58,880 + 56,320 = 307,200 pages of their own.
        var untilGiB = OomAudit.KillOrder(m, new OomRequest(), int.MaxValue, new Pages(GiB));
        Assert.Equal(5, untilGiB.Count);
    }

    [Fact]
    public void Protection_ABackendIsKilledInItsTurnWhateverItsRssSays()
    {
        var m = Prefork(0);

        var report = OomProtection.Assess(m, m.GetTask(101), new OomRequest(), kills: 3);

        Assert.Equal(16, report.KillPosition);
        Assert.True(report.Protected);
    }
}
