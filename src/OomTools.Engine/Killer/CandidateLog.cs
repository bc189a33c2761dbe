using System.Collections;
using System.Collections.Generic;
using OomTools.Engine.Kernels;

namespace OomTools.Engine.Killer;

/// <summary>
/// The candidates one scan recorded (<see cref="OomControl.RecordCandidates"/>): an array of
/// <see cref="CandidateRecord"/> that select_bad_process appends to, turned into <see cref="OomCandidate"/>
/// objects (ranked when out_of_memory ranked them) the first time someone reads them, and the same objects on every
/// read after. A -WhatIf whose candidates nobody reads costs one struct a task, no object.
/// </summary>
internal sealed class CandidateLog : IReadOnlyList<OomCandidate>
{
    private CandidateRecord[]? records;
    private readonly int capacity;
    private int count;
    // Or the rows of the score table the scan walked (ScoreTable.Share), made into records when read.
    private ScoreTable.Rows rows;
    private bool fromRows, sysrq;
    private long globalPages;
    private object? machineLock;
    private long totalPages;
    private KernelRules? scoring;
    private bool ranked, tiesToLater;
    private List<OomCandidate>? objects;
    private readonly object gate = new();

    /// <summary>An empty log with room for <paramref name="capacity"/> tasks (the task count of a global scan).</summary>
    internal CandidateLog(int capacity = 0) => this.capacity = capacity > 0 ? capacity : 4;

    /// <summary>Appends what the scan found about one task, scored against <paramref name="total"/> pages under <paramref name="rules"/>.</summary>
    internal void Add(in CandidateRecord record, long total, KernelRules rules)
    {
        // Made on the first record: a scan over the score table records its rows instead (Record).
        records ??= new CandidateRecord[capacity];
        if (count == records.Length) System.Array.Resize(ref records, records.Length * 2);
        records[count++] = record;
        totalPages = total;
        scoring = rules;
        objects = null;
    }

    /// <summary>
    /// Records the first <paramref name="weighed"/> rows of the score table a scan walked (scan order = row order), as
    /// the task-by-task scan records those tasks: the rows are the table's arrays, which it no longer writes, so
    /// nothing is copied unless the candidates are read. <paramref name="globalPages"/> is RAM + swap (for /proc
    /// oom_score), <paramref name="total"/> the OOM's totalpages.
    /// </summary>
    internal void Record(ScoreTable.Rows table, int weighed, bool isSysrq, long globalPages, long total, KernelRules rules, object syncRoot)
    {
        machineLock = syncRoot;
        rows = table;
        fromRows = true;
        count = weighed;
        sysrq = isSysrq;
        this.globalPages = globalPages;
        totalPages = total;
        scoring = rules;
        objects = null;
    }

    /// <summary>Ranks the candidates as out_of_memory does once the scan is over (done when they are read).</summary>
    internal void Rank(bool tiesGoToLater)
    {
        ranked = true;
        tiesToLater = tiesGoToLater;
        objects = null;
    }

    /// <summary>The candidates as objects, made on the first read: one per record, in scan order, ranked if asked.</summary>
    internal List<OomCandidate> Objects
    {
        get
        {
            // The rows of a score table are read under the machine's lock (the table may be changing them).
            lock (machineLock ?? gate)
                lock (gate)
                {
                    if (objects is not null) return objects;
                    var list = new List<OomCandidate>(count);
                    if (fromRows)
                    {
                        var snapshot = rows.Snapshot();
                        for (int i = 0; i < count; i++)
                            list.Add(OomCandidate.From(ScoreTable.Rows.Record(snapshot[i], i, sysrq, globalPages, scoring!), totalPages, scoring!));
                    }
                    else
                        for (int i = 0; i < count; i++) list.Add(OomCandidate.From(records![i], totalPages, scoring!));
                    if (ranked) OomCandidate.RankAll(list, tiesToLater);
                    return objects = list;
                }
        }
    }

    /// <summary>How many tasks were weighed.</summary>
    public int Count => count;

    /// <summary>The candidate at <paramref name="index"/> in scan order.</summary>
    public OomCandidate this[int index] => Objects[index];

    /// <summary>The candidates in scan order.</summary>
    public IEnumerator<OomCandidate> GetEnumerator() => Objects.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
