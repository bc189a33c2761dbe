using System;
using System.Collections.Generic;
using System.Globalization;
using OomTools.Engine.Units;

namespace OomTools.Engine.Reports;

/// <summary>
/// The columns of a task table, read from its header line (<c>[  pid  ]   uid  tgid total_vm      rss ...</c>),
/// so every layout from 2.6.32 (<c>cpu oom_adj</c>) through 6.8+ (<c>rss_anon rss_file rss_shmem</c>) parses.
/// </summary>
internal sealed class TaskTableLayout
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "uid", "tgid", "total_vm", "rss", "rss_anon", "rss_file", "rss_shmem", "pgtables_bytes", "nr_ptes", "nr_pmds",
        "swapents", "oom_score_adj", "oom_adj", "cpu", "name",
    };

    private readonly string[] columns;

    private TaskTableLayout(string[] columns) => this.columns = columns;

    public IReadOnlyList<string> Columns => columns;

    /// <summary>Parses a header such as <c>[ pid ]   uid  tgid total_vm rss nr_ptes swapents oom_score_adj name</c>.</summary>
    public static TaskTableLayout? FromHeader(string text)
    {
        int close = text.IndexOf(']');
        if (!text.StartsWith("[", StringComparison.Ordinal) || close < 0 || text.Substring(1, close - 1).Trim() != "pid") return null;
        var cols = text.Substring(close + 1).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        if (cols.Length < 3 || cols[cols.Length - 1] != "name") return null;
        foreach (var c in cols) if (!Known.Contains(c)) return null;
        return new TaskTableLayout(cols);
    }

    /// <summary>Parses a row under this header; null when it does not fit (a cut or garbled line).</summary>
    public OomReportTask? ParseRow(string text, int lineNumber)
    {
        int close = text.IndexOf(']');
        if (!text.StartsWith("[", StringComparison.Ordinal) || close < 0) return null;
        if (!TryPid(text, close, out var pid)) return null;
        var row = new OomReportTask { Pid = pid, Tid = pid, LineNumber = lineNumber };
        // The columns are read in place, by index: a table has a row per process and every row as many numbers.
        int pos = close + 1;
        for (int i = 0; i < columns.Length; i++)
        {
            while (pos < text.Length && text[pos] == ' ') pos++;
            if (columns[i] == "name")
            {
                if (pos >= text.Length) return null;
                row.Name = text.Substring(pos).TrimEnd();
                // The process is the tgid; the printed pid is the thread holding the mm (the leader, unless it exited).
                if (row.Tgid > 0) row.Pid = row.Tgid;
                return row;
            }
            int start = pos;
            while (pos < text.Length && text[pos] != ' ') pos++;
            if (!TryColumn(text, start, pos, out var v)) return null;
            Assign(row, columns[i], v);
        }
        return null;
    }

    /// <summary>
    /// The pid between the brackets, as <c>int.TryParse</c> of its trimmed text with no sign reads it: plain ASCII
    /// digits are read here, anything else goes to int.TryParse itself.
    /// </summary>
    private static bool TryPid(string text, int close, out int pid)
    {
        int a = 1, b = close;
        while (a < b && char.IsWhiteSpace(text[a])) a++;
        while (b > a && char.IsWhiteSpace(text[b - 1])) b--;
        if (b > a && b - a <= 9 && AsciiDigits(text, a, b, out long value))
        {
            pid = (int)value;
            return true;
        }
        return int.TryParse(text.Substring(1, close - 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out pid);
    }

    /// <summary>
    /// A column's number, as <c>long.TryParse</c> with a leading sign reads it: an optional sign and up to 18 ASCII
    /// digits are read here, anything else goes to long.TryParse itself.
    /// </summary>
    private static bool TryColumn(string text, int start, int end, out long value)
    {
        int digits = start < end && (text[start] == '-' || text[start] == '+') ? start + 1 : start;
        if (end > digits && end - digits <= 18 && AsciiDigits(text, digits, end, out value))
        {
            if (text[start] == '-') value = -value;
            return true;
        }
        return long.TryParse(text.Substring(start, end - start), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    private static bool AsciiDigits(string text, int start, int end, out long value)
    {
        value = 0;
        for (int i = start; i < end; i++)
        {
            int d = text[i] - '0';
            if ((uint)d > 9) return false;
            value = value * 10 + d;
        }
        return true;
    }

    private static void Assign(OomReportTask row, string column, long v)
    {
        switch (column)
        {
            case "uid": row.Uid = (int)v; break;
            case "tgid": row.Tgid = (int)v; break;
            case "total_vm": row.VirtualSize = new Pages(v); break;
            case "rss": row.Resident = new Pages(v); break;
            case "rss_anon": row.ResidentAnon = new Pages(v); break;
            case "rss_file": row.ResidentFile = new Pages(v); break;
            case "rss_shmem": row.ResidentShmem = new Pages(v); break;
            case "pgtables_bytes": row.PageTables = new Bytes(v); break;
            case "nr_ptes": row.PteTables = new Pages(v); break;
            case "nr_pmds": row.PmdTables = new Pages(v); break;
            case "swapents": row.Swapped = new Pages(v); break;
            case "oom_score_adj": row.OomScoreAdj = (int)v; break;
            case "oom_adj": row.OomAdj = (int)v; break;
            case "cpu": row.Cpu = (int)v; break;
        }
    }
}
