using System.Linq;
using OomTools.Engine.Model;
using Xunit;

namespace OomTools.Engine.Tests;

/// <summary>The score journal's entry names each task and mm once, whether it searches its lists or its set.</summary>
public class ScoreJournalTests
{
    [Fact]
    public void Entry_NamesEachObjectOnce_BelowAndAboveAFew()
    {
        var m = TestMachines.Machine();
        var tasks = Enumerable.Range(0, 20).Select(i => m.Add(100 + i, anon: 10 + i)).ToList();
        var e = new ScoreJournal.Entry();
        for (int round = 0; round < 3; round++)
        {
            foreach (var t in tasks)
            {
                bool first = e.FirstTime(t);
                Assert.Equal(round == 0, first);
                if (first) e.Tasks.Add(t);
                bool firstMm = e.FirstTime(t.Mm!);
                Assert.Equal(round == 0, firstMm);
                if (firstMm) e.Mms.Add((t.Mm!, t.Mm!.Flags));
            }
        }
        Assert.Equal(20, e.Tasks.Count);
        Assert.Equal(20, e.Mms.Count);
    }
}
