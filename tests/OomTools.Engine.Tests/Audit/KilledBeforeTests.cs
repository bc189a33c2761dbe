using System;
using System.Collections;
using System.Linq;
using OomTools.Engine.Audit;
using OomTools.Engine.Exit;
using Xunit;

namespace OomTools.Engine.Tests.Audit;

/// <summary>
/// ProtectionReport.DiesBefore (<see cref="KilledBefore"/>): the processes the kill order killed before the report's
/// process, kept as pids and names and read as "pid (name)". On <see cref="AuditMachines.Fleet"/> db dies fifth,
/// after cache, batch-helper, web and batch-2 (the second OOM killed batch-helper and batch, which share an mm: only
/// the chosen one is listed).
/// </summary>
public class KilledBeforeTests
{
    private static readonly string[] BeforeDb = { "40 (cache)", "31 (batch-helper)", "20 (web)", "70 (batch-2)" };

    private static ProtectionReport Db(OomTools.Engine.Model.OomMachine m) => OomProtection.Assess(m, m.GetTask(10), new OomRequest(), kills: 1);

    [Fact]
    public void DiesBefore_ReadsTheSameByIndexByEnumerationAndAsAList()
    {
        var before = Db(AuditMachines.Fleet()).DiesBefore;

        Assert.Equal(4, before.Count);
        Assert.Equal(BeforeDb, Enumerable.Range(0, before.Count).Select(i => before[i]).ToArray());
        Assert.Equal(BeforeDb, before.ToArray());
        var list = Assert.IsAssignableFrom<IList>(before);
        Assert.Equal(BeforeDb, list.Cast<string>().ToArray());
        Assert.Equal(2, list.IndexOf("20 (web)"));
        Assert.True(list.Contains("70 (batch-2)"));
        Assert.False(list.Contains("10 (db)"));
        Assert.Equal(string.Join(", ", BeforeDb), before.ToString());
    }

    [Fact]
    public void DiesBefore_CopiesIntoAnArray_AsAnyCollection()
    {
        var list = (ICollection)Db(AuditMachines.Fleet()).DiesBefore;
        var copy = new string[6];

        list.CopyTo(copy, 1);

        Assert.Equal(new[] { null, "40 (cache)", "31 (batch-helper)", "20 (web)", "70 (batch-2)", null }, copy);
    }

    // A report is a record of its audit: the victims it names stay as they were when the machine changes after it.
    [Fact]
    public void DiesBefore_KeepsTheAuditsNames_WhenTheEarlierVictimsLeaveTheMachineAfter()
    {
        var m = AuditMachines.Fleet();
        var r = Db(m);

        var exit = new TaskExit(m);
        foreach (var pid in new[] { 40, 31, 20 }) exit.DoExit(m.GetTask(pid));

        Assert.Null(m.FindTask(40));
        Assert.Equal(BeforeDb, r.DiesBefore.ToArray());
    }

    [Fact]
    public void DiesBefore_IsReadOnly_AndAnIndexPastTheEndIsAnError()
    {
        var before = Db(AuditMachines.Fleet()).DiesBefore;
        var list = (IList)before;

        Assert.True(list.IsReadOnly);
        Assert.True(list.IsFixedSize);
        Assert.Throws<NotSupportedException>(() => list.Add("1 (init)"));
        Assert.Throws<NotSupportedException>(() => list[0] = "1 (init)");
        Assert.Throws<NotSupportedException>(() => list.RemoveAt(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => before[4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => before[-1]);
    }

    [Fact]
    public void DiesBefore_IsEmpty_ForTheFirstVictim()
    {
        var m = AuditMachines.Fleet();

        var r = OomProtection.Assess(m, m.GetTask(40), new OomRequest(), kills: 1);

        Assert.Equal(1, r.KillPosition);
        Assert.Empty(r.DiesBefore);
        Assert.Equal("", r.DiesBefore.ToString());
    }
}
