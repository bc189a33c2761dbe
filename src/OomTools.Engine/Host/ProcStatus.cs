using System;
using System.Globalization;
using OomTools.Engine.Units;

namespace OomTools.Engine.Host;

/// <summary>
/// What a snapshot needs from <c>/proc/PID/status</c> (fs/proc/array.c, task_mmu.c): name, ids (the parent's too),
/// the mm counters in kB (RssAnon, RssFile, RssShmem, VmSwap, VmPTE, VmSize) and the thread count. The Vm and Rss
/// lines are printed only while the task has an mm: a zombie leader's status has none.
/// </summary>
internal sealed class ProcStatus
{
    public string Name = "";
    public int Tgid, Pid, PPid, Uid, Threads = 1;
    public bool KernelThread, HasMm;
    /// <summary>The mm counters, named as status prints them (in kB there).</summary>
    public Kibibytes RssAnon, RssFile, RssShmem, VmSwap, VmPte, VmSize;
    public char State = '?';

    public static ProcStatus? Parse(string text)
    {
        var s = new ProcStatus();
        foreach (var raw in text.Split('\n'))
        {
            int colon = raw.IndexOf(':');
            if (colon <= 0) continue;
            var key = raw.Substring(0, colon);
            var value = raw.Substring(colon + 1).Trim();
            switch (key)
            {
                case "Name": s.Name = Unescape(value); break;
                case "State": s.State = value.Length > 0 ? value[0] : '?'; break;
                case "Tgid": s.Tgid = Int(value); break;
                case "Pid": s.Pid = Int(value); break;
                case "PPid": s.PPid = Int(value); break;
                case "Uid": s.Uid = Int(FirstField(value)); break;
                case "Threads": s.Threads = Math.Max(1, Int(value)); break;
                case "Kthread": s.KernelThread = value == "1"; break;
                case "VmSize": s.VmSize = Kb(value); s.HasMm = true; break;
                case "RssAnon": s.RssAnon = Kb(value); s.HasMm = true; break;
                case "RssFile": s.RssFile = Kb(value); break;
                case "RssShmem": s.RssShmem = Kb(value); break;
                case "VmSwap": s.VmSwap = Kb(value); break;
                case "VmPTE": s.VmPte = Kb(value); break;
            }
        }
        return s.Pid > 0 ? s : null;
    }

    private static string FirstField(string v)
    {
        int i = 0;
        while (i < v.Length && !char.IsWhiteSpace(v[i])) i++;
        return v.Substring(0, i);
    }

    private static int Int(string v) => int.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) ? n : 0;

    /// <summary>A <c>N kB</c> value; 0 when it does not parse.</summary>
    private static Kibibytes Kb(string v)
    {
        var f = FirstField(v);
        return new Kibibytes(long.TryParse(f, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0);
    }

    /// <summary>status escapes a newline in the name as \n and a backslash as \\.</summary>
    private static string Unescape(string v)
    {
        if (v.IndexOf('\\') < 0) return v;
        var sb = new System.Text.StringBuilder(v.Length);
        for (int i = 0; i < v.Length; i++)
        {
            if (v[i] == '\\' && i + 1 < v.Length && (v[i + 1] == 'n' || v[i + 1] == '\\'))
            {
                sb.Append(v[i + 1] == 'n' ? '\n' : '\\');
                i++;
            }
            else sb.Append(v[i]);
        }
        return sb.ToString();
    }
}
