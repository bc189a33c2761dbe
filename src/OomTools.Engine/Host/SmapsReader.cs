using System;
using System.Collections.Generic;
using System.Globalization;
using OomTools.Engine.Model;
using OomTools.Engine.Units;

namespace OomTools.Engine.Host;

/// <summary>
/// Reads <c>/proc/PID/smaps_rollup</c> and the shmem mappings of <c>/proc/PID/smaps</c> (fs/proc/task_mmu.c) into the
/// model's <see cref="SmapsRollup"/> and <see cref="ShmemMapping"/>s. Both walk the mm's page tables in the kernel, so
/// a snapshot reads the rollup once per mm, and smaps only for an mm whose <c>maps</c> (no page walk) shows more than
/// one shmem object: with one, all of <c>RssShmem</c> is that object's.
/// </summary>
internal static class SmapsReader
{
    /// <summary>The rollup's <c>Key: N kB</c> lines in pages; null when the text has no <c>Rss</c> line.</summary>
    public static SmapsRollup? ParseRollup(string? text, int pageSize)
    {
        if (text is null) return null;
        var kb = KbLines(text, 0, text.Length);
        if (!kb.ContainsKey("Rss")) return null;
        Pages P(string key) => new Kibibytes(kb.TryGetValue(key, out var v) ? v : 0).ToPages(pageSize);
        return new SmapsRollup
        {
            Rss = P("Rss"),
            Pss = P("Pss"),
            PssAnon = P("Pss_Anon"),
            PssFile = P("Pss_File"),
            PssShmem = P("Pss_Shmem"),
            SharedPages = new Kibibytes(Get(kb, "Shared_Clean") + Get(kb, "Shared_Dirty")).ToPages(pageSize),
            PrivatePages = new Kibibytes(Get(kb, "Private_Clean") + Get(kb, "Private_Dirty")).ToPages(pageSize),
            Anonymous = P("Anonymous"),
            Swap = P("Swap"),
            SwapPss = P("SwapPss"),
        };
    }

    /// <summary>
    /// The shmem objects an mm maps shared (<c>s</c>), from <c>/proc/PID/smaps</c> or, without the sizes, from
    /// <c>/proc/PID/maps</c> (the same header lines, no page walk): memfd, System V, shared anonymous (<c>/dev/zero</c>),
    /// and files whose device is a tmpfs mount in <paramref name="tmpfsDevices"/> (the device is printed in hex,
    /// <c>00:1b</c>; mountinfo prints it in decimal, <c>0:27</c>). One entry per object (device, inode, path), its
    /// mappings' <c>Rss</c> and <c>Swap</c> added up; from smaps, objects with nothing resident or swapped are left out.
    /// </summary>
    public static List<ShmemMapping> ParseShmem(string text, int pageSize, ICollection<string> tmpfsDevices, bool withSizes)
    {
        var list = new List<ShmemMapping>();
        int pos = 0;
        while (pos < text.Length)
        {
            int eol = text.IndexOf('\n', pos);
            if (eol < 0) eol = text.Length;
            var header = text.Substring(pos, eol - pos);
            pos = eol + 1;
            // A VMA header: "start-end perms offset dev inode [path]"; in smaps the Key: lines follow until the next header.
            var f = header.Split(new[] { ' ' }, 6, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 5 || f[0].IndexOf('-') < 0 || f[1].Length != 4) continue;
            int end = withSizes ? NextHeader(text, pos) : pos;
            if (f[1][3] == 's' && f.Length == 6 && Kind(f[5].Trim(), DecimalDevice(f[3]), tmpfsDevices) is { } kind)
            {
                var kb = withSizes ? KbLines(text, pos, end) : new Dictionary<string, long>();
                var path = f[5].Trim();
                bool deleted = path.EndsWith(" (deleted)", StringComparison.Ordinal);
                if (deleted) path = path.Substring(0, path.Length - " (deleted)".Length);
                var inode = f[3] + " " + f[4];
                var o = list.Find(x => x.Inode == inode && x.Path == path && x.Unlinked == deleted);
                if (o is null) list.Add(o = new ShmemMapping { Path = path, Inode = inode, Kind = kind, Unlinked = deleted });
                o.Rss += new Kibibytes(Get(kb, "Rss")).ToPages(pageSize);
                o.Swap += new Kibibytes(Get(kb, "Swap")).ToPages(pageSize);
            }
            pos = end;
        }
        if (withSizes) list.RemoveAll(o => o.Rss.Value == 0 && o.Swap.Value == 0);
        return list;
    }

    /// <summary>The devices (<c>major:minor</c>, decimal) of the tmpfs mounts in a <c>/proc/PID/mountinfo</c>.</summary>
    public static HashSet<string> TmpfsDevices(string? mountinfo)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (mountinfo is null) return set;
        foreach (var line in mountinfo.Split('\n'))
        {
            // "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [TAGS...] - FSTYPE SOURCE SUPEROPTS"
            int dash = line.IndexOf(" - ", StringComparison.Ordinal);
            if (dash < 0) continue;
            var after = line.Substring(dash + 3).Split(' ');
            var before = line.Split(' ');
            if (after[0] == "tmpfs" && before.Length > 2) set.Add(before[2]);
        }
        return set;
    }

    private static ShmemMappingKind? Kind(string path, string device, ICollection<string> tmpfsDevices)
    {
        if (path.StartsWith("/memfd:", StringComparison.Ordinal)) return ShmemMappingKind.Memfd;
        if (path.StartsWith("/SYSV", StringComparison.Ordinal)) return ShmemMappingKind.SysV;
        if (path == "/dev/zero (deleted)") return ShmemMappingKind.SharedAnonymous;
        if (path.StartsWith("/", StringComparison.Ordinal) && tmpfsDevices.Contains(device)) return ShmemMappingKind.TmpfsFile;
        return null;
    }

    /// <summary>smaps' <c>00:1b</c> (hex) as mountinfo's <c>0:27</c>.</summary>
    private static string DecimalDevice(string hex)
    {
        var parts = hex.Split(':');
        if (parts.Length != 2 ||
            !int.TryParse(parts[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var major) ||
            !int.TryParse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var minor)) return hex;
        return major.ToString(CultureInfo.InvariantCulture) + ":" + minor.ToString(CultureInfo.InvariantCulture);
    }

    /// <summary>Where the next VMA header starts: the first line at or after <paramref name="pos"/> whose first word has a '-'.</summary>
    private static int NextHeader(string text, int pos)
    {
        while (pos < text.Length)
        {
            int space = text.IndexOf(' ', pos), colon = text.IndexOf(':', pos), dash = text.IndexOf('-', pos);
            if (dash >= 0 && space > dash && (colon < 0 || colon > dash)) return pos;
            int eol = text.IndexOf('\n', pos);
            if (eol < 0) return text.Length;
            pos = eol + 1;
        }
        return text.Length;
    }

    /// <summary>The <c>Key:   N kB</c> lines between two offsets.</summary>
    private static Dictionary<string, long> KbLines(string text, int start, int end)
    {
        var d = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var line in text.Substring(start, end - start).Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon <= 0 || !line.EndsWith(" kB", StringComparison.Ordinal)) continue;
            var value = line.Substring(colon + 1, line.Length - colon - 4).Trim();
            if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)) d[line.Substring(0, colon)] = n;
        }
        return d;
    }

    private static long Get(Dictionary<string, long> d, string key) => d.TryGetValue(key, out var v) ? v : 0;
}
