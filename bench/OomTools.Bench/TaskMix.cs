using System;
using System.IO;
using OomTools.Engine.Killer;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Bench;

/// <summary>
/// A deterministic, realistic-looking process table: what a busy machine with many small processes and a few
/// big ones looks like to the OOM killer. Generated once into plain arrays, from which both the engine's machine
/// (through <see cref="OomMachine.AddTask"/>) and the plain-loop baseline are built, so both see the same data.
/// </summary>
public sealed class TaskMix
{
    /// <summary>The baseline's PAGE_SIZE, a compile-time constant as it is in the kernel.</summary>
    public const int PageSize = 4096;

    /// <summary>comm values: a small set of strings, shared by every task that uses them.</summary>
    public static readonly string[] Names =
    {
        "bash", "sshd", "postgres", "java", "chrome", "nginx", "python3", "node",
        "containerd-shim", "dockerd", "redis-server", "php-fpm", "rsyslogd", "cron", "Web Content", "gunicorn",
    };

    public readonly int Count;
    public readonly byte[] Name;
    public readonly long[] Anon, File, Shmem, Swap, PgtablesBytes;
    public readonly short[] Adj;
    public readonly byte[] Threads;
    public readonly bool[] KernelThread;

    public int Unkillable { get; private set; }
    public int AdjNonZero { get; private set; }
    public int MultiThreaded { get; private set; }

    private TaskMix(int count)
    {
        Count = count;
        Name = new byte[count];
        Anon = new long[count];
        File = new long[count];
        Shmem = new long[count];
        Swap = new long[count];
        PgtablesBytes = new long[count];
        Adj = new short[count];
        Threads = new byte[count];
        KernelThread = new bool[count];
    }

    /// <param name="selectionMix">The selection mix: about 0.5% kernel threads (no mm) and 5% of the processes with
    /// 2..16 threads. False (the bytes-per-task mix): every process with an mm of its own.</param>
    /// <param name="multiThreaded">5% of the processes with 2..16 threads; by default only in the selection mix.</param>
    public static TaskMix Generate(int count, int seed, bool selectionMix, bool? multiThreaded = null)
    {
        bool threads = multiThreaded ?? selectionMix;
        var mix = new TaskMix(count);
        var rng = new Random(seed);
        for (int i = 0; i < count; i++)
        {
            mix.Name[i] = (byte)rng.Next(Names.Length);
            mix.Threads[i] = 1;
            double kind = rng.NextDouble();
            if (selectionMix && i > 0 && kind < 0.005)
            {
                // Kernel threads: no mm, never candidates.
                mix.KernelThread[i] = true;
                mix.Unkillable++;
                continue;
            }

            // Resident sizes spread over five orders of magnitude: e^U(0,12.5) is 1 page .. ~1 GiB, most of them small.
            long anon = (long)Math.Exp(rng.NextDouble() * 12.5);
            long file = rng.Next(0, 4000);
            long shmem = rng.NextDouble() < 0.1 ? rng.Next(0, 20000) : 0;
            long swap = rng.NextDouble() < 0.3 ? (long)(anon * rng.NextDouble() * 0.5) : 0;
            long rss = anon + file + shmem;
            // About 8 bytes of page table per mapped page, in whole page-table pages, plus the upper levels.
            long pgtables = ((rss * 8 + PageSize - 1) / PageSize + rng.Next(1, 5)) * PageSize;

            short adj = 0;
            double a = rng.NextDouble();
            if (i == 0) adj = 0;                                    // init (pid 1): unkillable as global init
            else if (a < 0.001) adj = OomScoreAdj.MinValue;         // OOM_SCORE_ADJ_MIN: never chosen
            else if (a < 0.05) adj = (short)-rng.Next(1, 1000);     // protected daemons
            else if (a < 0.15) adj = (short)(100 * rng.Next(1, 11)); // expendable workers, browser tabs
            if (adj != 0) mix.AdjNonZero++;
            if (adj == OomScoreAdj.MinValue || i == 0) mix.Unkillable++;

            mix.Anon[i] = anon;
            mix.File[i] = file;
            mix.Shmem[i] = shmem;
            mix.Swap[i] = swap;
            mix.PgtablesBytes[i] = pgtables;
            mix.Adj[i] = adj;
            if (threads && rng.NextDouble() < 0.05)
            {
                mix.Threads[i] = (byte)rng.Next(2, 17);
                mix.MultiThreaded++;
            }
        }
        return mix;
    }

    /// <summary>Fills <paramref name="spec"/> (reused, so no spec outlives its AddTask) for process <paramref name="i"/>.</summary>
    public void Fill(OomTaskSpec spec, int i)
    {
        spec.Pid = null;
        spec.Name = Names[Name[i]];
        spec.KernelThread = KernelThread[i];
        spec.AnonPages = new Pages(Anon[i]);
        spec.FilePages = new Pages(File[i]);
        spec.ShmemPages = new Pages(Shmem[i]);
        spec.SwapEntries = new Pages(Swap[i]);
        spec.PageTableBytes = PgtablesBytes[i];
        spec.OomScoreAdj = OomScoreAdj.From(Adj[i]);
        spec.Threads = Threads[i];
    }

    /// <summary>A 64 GiB machine with 8 GiB of swap, 4 KiB pages, every process of the mix added in order.</summary>
    public OomMachine BuildMachine()
    {
        var m = NewMachine();
        var spec = new OomTaskSpec();
        for (int i = 0; i < Count; i++)
        {
            Fill(spec, i);
            m.AddTask(spec);
        }
        return m;
    }

    /// <summary>totalpages of a global OOM on <paramref name="machine"/> (RAM + swap), as out_of_memory sets it.</summary>
    public static long TotalPages(OomMachine machine)
    {
        var oc = new OomControl { RecordCandidates = false };
        machine.Killer.ConstrainedAlloc(oc);
        return oc.TotalPages!.Value;
    }

    public static OomMachine NewMachine() =>
        new(Pages.FromBytes(64L << 30, PageSize), Pages.FromBytes(8L << 30, PageSize), PageSize, name: "bench");
}

/// <summary>
/// The baseline: the same process table as four parallel arrays (rss, swap, page-table bytes, adj) and the
/// plainest loop over them. Unkillable processes (init, kernel threads, OOM_SCORE_ADJ_MIN) carry adj -1000.
/// </summary>
public sealed class PlainTable
{
    public readonly long[] Rss, Swap, Pgtables;
    public short[] Adj { get; private set; }

    public PlainTable(TaskMix mix)
    {
        int n = mix.Count;
        Rss = new long[n];
        Swap = new long[n];
        Pgtables = new long[n];
        Adj = new short[n];
        for (int i = 0; i < n; i++)
        {
            Rss[i] = mix.Anon[i] + mix.File[i] + mix.Shmem[i];
            Swap[i] = mix.Swap[i];
            Pgtables[i] = mix.PgtablesBytes[i];
            Adj[i] = mix.KernelThread[i] || i == 0 ? OomScoreAdj.MinValue : mix.Adj[i];
        }
    }

    /// <summary>
    /// points = rss + swap + pgtables/PAGE_SIZE + adj * (totalpages / 1000); adj -1000 is skipped; the highest
    /// wins and ties go to the later process. Returns the index, or -1 when nothing is killable.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    public int Select(long totalPages, out long chosenPoints)
    {
        long[] rss = Rss, swap = Swap, pgtables = Pgtables;
        short[] adj = Adj;
        long adjUnit = totalPages / 1000;
        long best = long.MinValue;
        int chosen = -1;
        for (int i = 0; i < rss.Length; i++)
        {
            short a = adj[i];
            if (a == OomScoreAdj.MinValue) continue;
            long points = rss[i] + swap[i] + pgtables[i] / TaskMix.PageSize + a * adjUnit;
            if (points >= best)
            {
                best = points;
                chosen = i;
            }
        }
        chosenPoints = best;
        return chosen;
    }

    /// <summary>
    /// The storm's baseline: <paramref name="kills"/> scans, each followed by taking its victim out (adj -1000 on a
    /// copy of the adj array, so the table itself is unchanged). Returns the victims' indexes in kill order.
    /// </summary>
    public int[] Storm(long totalPages, int kills)
    {
        var saved = Adj;
        var adj = (short[])saved.Clone();
        var victims = new int[kills];
        try
        {
            Adj = adj;
            for (int k = 0; k < kills; k++)
            {
                int i = Select(totalPages, out _);
                victims[k] = i;
                if (i < 0) break;
                adj[i] = OomScoreAdj.MinValue;
            }
        }
        finally
        {
            Adj = saved;
        }
        return victims;
    }

    /// <summary>
    /// Writes the table for bench/baseline/select.c, little-endian: int64 n, int64 totalpages, then rss, swap,
    /// page-table bytes (int64 each) and adj (int16).
    /// </summary>
    public void WriteBinary(string path, long totalPages)
    {
        using var w = new BinaryWriter(File.Create(path));
        w.Write((long)Rss.Length);
        w.Write(totalPages);
        foreach (var a in new[] { Rss, Swap, Pgtables })
            foreach (long v in a) w.Write(v);
        foreach (short v in Adj) w.Write(v);
    }
}
