using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using OomTools.Engine.Serialization;
using Xunit;

namespace OomTools.Engine.Tests.Serialization;

/// <summary>
/// The reader's and writer's fast paths (a member read in one pass off the buffer, a reused object following its last
/// names, shared boxes, digits written in place) give what the general paths give, errors included.
/// </summary>
public class JsonFastPathTests
{
    // The items of a top-level array, read as the machine reader reads tasks: each item's objects reused for the next.
    private static List<string> ReadRecycled(string json)
    {
        var r = new JsonCharReader(new StringReader(json));
        var texts = new List<string>();
        r.SkipWhitespace();
        r.Expect('[', "expected '['");
        r.SkipWhitespace();
        if (r.TryTake(']')) return texts;
        while (true)
        {
            r.SkipWhitespace();
            r.Recycle();
            texts.Add(Json.WriteCompact(r.ReadValue(1)));
            if (r.EndOfMember(']', "an array")) return texts;
        }
    }

    [Theory]
    [InlineData("[{\"a\": 1, \"b\": 2, \"c\": 3}, {\"x\": 1, \"c\": 2}, {\"x\": 1, \"c\": 2, \"c\": 3}]", "c")]
    [InlineData("[{\"a\": 1, \"b\": 2}, {\"a\": 1, \"b\": 2, \"a\": 3}]", "a")]
    [InlineData("[{\"a\": 1, \"b\": 2}, {\"b\": 1, \"b\": 2}]", "b")]
    [InlineData("[{\"a\": {\"k\": 1}, \"b\": 2}, {\"a\": {\"k\": 1, \"k\": 2}}]", "k")]
    [InlineData("[{\"a\": 1}, {\"a\": 1, \"a\\u0062\": 2, \"ab\": 3}]", "ab")]
    public void AReusedObject_StillRefusesAMemberTwice(string json, string name)
    {
        var ex = Assert.Throws<FormatException>(() => ReadRecycled(json));
        Assert.Contains($"the member \"{name}\" appears twice in one object", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AReusedObject_ReadsNamesThatDifferFromItsLastOnes()
    {
        var texts = ReadRecycled("[{\"ab\": 1, \"c\": true}, {\"abc\": 2, \"c\": false}, {\"ab\": 3}, {\"a\\\"b\": 4, \"c\": null}, " +
                                 "{\"a\\\"b\": 5, \"c\": \"x\"}, {\"a\": 6, \"ab\": 7}, {}, {\"ab\": -8, \"c\": [1, {\"d\": 2}]}]");

        Assert.Equal(new[]
        {
            "{\"ab\":1,\"c\":true}", "{\"abc\":2,\"c\":false}", "{\"ab\":3}", "{\"a\\\"b\":4,\"c\":null}",
            "{\"a\\\"b\":5,\"c\":\"x\"}", "{\"a\":6,\"ab\":7}", "{}", "{\"ab\":-8,\"c\":[1,{\"d\":2}]}",
        }, texts);
    }

    // A document of every kind of member, long enough to cross the reader's buffer many times.
    private static object Sample(int objects)
    {
        var items = new List<object?>();
        for (int i = 0; i < objects; i++)
        {
            items.Add(new JsonObject()
                .Add("pid", (long)i * 7919)
                .Add("n", -(long)i * 4096)
                .Add("big", long.MaxValue - i)
                .Add("small", (long)(i % 2048) - 1024)
                .Add("comm", "w" + (i % 13))
                .Add("esc", i % 5 == 0 ? "a\"b\\c\n" : "plain")
                .Add("flag", i % 2 == 0)
                .Add("none", null)
                .Add("frac", new JsonNumber("1.5e3"))
                .Add("list", new List<object?> { (long)i, "x" })
                .Add("obj", new JsonObject().Add("k", (long)i).Add("deep", new JsonObject().Add("z", i % 3 == 0))));
        }
        return items;
    }

    [Fact]
    public void ADocumentRead_AtEveryOffsetOfTheBuffer_IsTheDocumentWritten()
    {
        var value = Sample(400);
        string compact = Json.WriteCompact(value);
        string indented = Json.Write(value);
        Assert.True(indented.Length > 3 * 16 * 1024, $"{indented.Length} characters");
        // Leading whitespace moves every member against the buffer's edges.
        for (int pad = 0; pad < 48; pad += 1)
        {
            string text = new string(' ', pad) + indented;
            Assert.Equal(compact, Json.WriteCompact(Json.Parse(text)));
            Assert.Equal(compact, string.Join(",", ReadRecycled(text)).Insert(0, "[") + "]");
        }
    }

    [Theory]
    [InlineData("{\"a\": 1 \"b\": 2}", "expected ',' or '}' in an object", 9)]
    [InlineData("{\"a\" 1}", "expected ':' after a member name", 6)]
    [InlineData("{\"a\": 01}", "expected ',' or '}' in an object", 8)]
    [InlineData("{\"a\": tru}", "expected 'true'", 7)]
    [InlineData("{\"a\": -}", "a '-' must be followed by digits", 8)]
    [InlineData("{\"a\": \"x\ty\"}", "a control character must be escaped inside a string", 9)]
    [InlineData("{a: 1}", "expected a member name in double quotes", 2)]
    [InlineData("{\"a\": 1, \"a\": 2}", "the member \"a\" appears twice in one object", 10)]
    public void AnError_PastTheFirstBuffer_NamesItsLineAndColumn(string bad, string what, int column)
    {
        for (int pad = 0; pad < 40; pad += 3)
        {
            // Lines of good objects first, so the bad one lies past the buffer's first refill at a shifting offset.
            var sb = new StringBuilder("[\n");
            int lines = 1;
            while (sb.Length < 20_000 + pad * 37)
            {
                sb.Append("  {\"a\": 1, \"b\": [true, null], \"c\": \"text\"},\n");
                lines++;
            }
            sb.Append(bad).Append("\n]");
            var ex = Assert.Throws<FormatException>(() => Json.Parse(sb.ToString()));
            Assert.Equal($"Not valid JSON at line {lines + 1}, column {column}: {what}.", ex.Message);
        }
    }

    [Fact]
    public void Numbers_ReadWithSharedBoxes_KeepTheirValues()
    {
        const string json = "[0, -0, 1023, -1024, 1024, -1025, 4096, 8192, 4096, 8192, 123456789012345678, 1234567890123456789, " +
                            "-9223372036854775808, 9223372036854775807, 9223372036854775808, 1.5, 1e3, 4096]";
        var items = (List<object?>)Json.Parse(json)!;

        Assert.Equal(new object?[]
        {
            0L, 0L, 1023L, -1024L, 1024L, -1025L, 4096L, 8192L, 4096L, 8192L, 123456789012345678L, 1234567890123456789L,
            long.MinValue, long.MaxValue,
        }, items.GetRange(0, 14));
        Assert.Equal("9223372036854775808", Assert.IsType<JsonNumber>(items[14]).Text);
        Assert.Equal("1.5", Assert.IsType<JsonNumber>(items[15]).Text);
        Assert.Equal("1e3", Assert.IsType<JsonNumber>(items[16]).Text);
        Assert.Equal(4096L, items[17]);
    }

    [Fact]
    public void Digest_OfEqualText_IsEqualWhateverTheNameStrings()
    {
        var read = Json.Parse("{\"anonPages\": 4, \"flags\": [\"x\"], \"vmas\": []}");
        var built = new JsonObject()
            .Add(new string("anonPages".ToCharArray()), 4L)
            .Add(new string("flags".ToCharArray()), new List<object?> { "x" })
            .Add(new string("vmas".ToCharArray()), new List<object?>());
        var renamed = new JsonObject()
            .Add("anonPagez", 4L)
            .Add("flags", new List<object?> { "x" })
            .Add("vmas", new List<object?>());

        Assert.Equal(Json.Digest(read), Json.Digest(built));
        Assert.Equal(Json.Digest(read), Json.Digest(read));
        Assert.NotEqual(Json.Digest(read), Json.Digest(renamed));
    }

    [Fact]
    public void TheBuffer_WritesNumbersAndBooleansAsInvariantText()
    {
        var values = new List<long> { long.MinValue, long.MinValue + 1, -10_000, -9999, -10, -9, -1, long.MaxValue };
        for (long p = 1; p > 0 && p <= long.MaxValue / 10; p *= 10)
        {
            values.Add(p - 1);
            values.Add(p);
            values.Add(p + 1);
        }
        var buffer = new JsonTextBuffer();
        var expected = new StringBuilder();
        foreach (var v in values)
        {
            buffer.WriteNumber(v);
            buffer.Write(',');
            expected.Append(v.ToString(CultureInfo.InvariantCulture)).Append(',');
        }
        buffer.WriteBool(true);
        buffer.WriteBool(false);
        expected.Append("truefalse");

        var written = new StringWriter();
        buffer.MoveTo(written);
        Assert.Equal(expected.ToString(), written.ToString());
    }
}

/// <summary>The export's mm ids: by owner pid where the pids are dense, by reference past that, the same ids either way.</summary>
public class MachineJsonMmIdTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MmIds_FollowFirstAppearance_WhateverTheOwnerPids(bool sparsePids)
    {
        // Tasks 5 and 9 share an mm owned by 9 (seen first at 5); task 12's mm and task 14's oom_mm also name 9 as owner.
        string last = sparsePids ? "{\"pid\": 3000000, \"comm\": \"far\", \"mm\": {\"id\": 5, \"ownerPid\": 3000000, \"anonPages\": 40}}" : "{\"pid\": 20, \"comm\": \"near\"}";
        string json = "{\"schema\": \"oomtools.machine/v1\", \"ramPages\": 1000000, \"tasks\": [" +
            "{\"pid\": 5, \"comm\": \"a\", \"mm\": {\"id\": 1, \"ownerPid\": 9, \"anonPages\": 10}}, " +
            "{\"pid\": 9, \"comm\": \"b\", \"mm\": {\"id\": 1, \"ownerPid\": 9, \"anonPages\": 10}}, " +
            "{\"pid\": 12, \"comm\": \"c\", \"mm\": {\"id\": 2, \"ownerPid\": 9, \"anonPages\": 20}}, " +
            "{\"pid\": 14, \"comm\": \"d\", \"threads\": [{\"tid\": 14, \"hasMm\": false}], \"oomMm\": {\"id\": 3, \"ownerPid\": 9, \"anonPages\": 30}}, " +
            "{\"pid\": 15, \"comm\": \"e\", \"mm\": {\"id\": 4, \"ownerPid\": 2, \"anonPages\": 5}, \"oomMm\": {\"id\": 2, \"ownerPid\": 9, \"anonPages\": 20}}, " +
            last + "]}";

        var m = OomTools.Engine.Model.OomMachine.FromJson(json);
        Assert.Same(m.GetTask(5).Mm, m.GetTask(9).Mm);
        Assert.Same(m.GetTask(12).Mm, m.GetTask(15).OomMm);
        string written = m.ToJson();

        var ids = MmIdsOfTasks(written);
        Assert.Equal(sparsePids ? new long[] { 1, 1, 2, 3, 4, 2, 5 } : new long[] { 1, 1, 2, 3, 4, 2 }, ids);
        Assert.Equal(written, OomTools.Engine.Model.OomMachine.FromJson(written).ToJson());
    }

    // Every mm and oom_mm id of the tasks, in task order (mm before oom_mm).
    private static List<long> MmIdsOfTasks(string written)
    {
        var ids = new List<long>();
        ((JsonObject)Json.Parse(written)!).TryGet("tasks", out var tasks);
        foreach (JsonObject t in (List<object?>)tasks!)
        {
            foreach (var member in new[] { "mm", "oomMm" })
                if (t.TryGet(member, out var mm) && mm is JsonObject o && o.TryGet("id", out var id)) ids.Add((long)id!);
        }
        return ids;
    }
}
