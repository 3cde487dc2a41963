using System.Text;
using NUnit.Framework;
using RedisScheduler.Storage;
using RedisScheduler.Tests.Infrastructure;
using StackExchange.Redis;

namespace RedisScheduler.Tests;

/// <summary>
/// Each format kept in Redis has one owner in Lua (a helper in common.lua) and one in C# (one type):
/// here each is written by one side and read by the other, on the real server.
/// </summary>
public sealed class FormatRoundTripTests
{
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes("{\"note\":\"a|b|c\",\"n\":1}");

    [Test]
    public async Task TaskRecord_WrittenInCSharp_IsReadAndRewrittenByLua()
    {
        await using var scope = new TestScope();
        var record = new TaskRecord(12, 1_700_000_000_123, 1_700_000_000_456, Payload) { Flag = TaskRecord.Processing };

        var reply = (RedisResult[])(await RunAsync(scope, """
            local r = ARGV[1]
            return { flag_of(r), attempt_of(r), with_due(r, 'w', '42'), with_attempt(r, 'd', 3), with_flag(r, 's') }
            """, record.Format()))!;

        var withDue = TaskRecord.Parse((byte[])reply[2]!);
        var withAttempt = TaskRecord.Parse((byte[])reply[3]!);
        var withFlag = TaskRecord.Parse((byte[])reply[4]!);
        Assert.Multiple(() =>
        {
            Assert.That((string)reply[0]!, Is.EqualTo("p"));
            Assert.That((int)reply[1], Is.EqualTo(12));
            Assert.That(withDue, Is.EqualTo(record with { DueAtMs = 42, Flag = TaskRecord.AwaitingParents, Payload = withDue.Payload }));
            Assert.That(withAttempt, Is.EqualTo(record with { Attempt = 3, Flag = TaskRecord.DeadLettered, Payload = withAttempt.Payload }));
            Assert.That(withFlag, Is.EqualTo(record with { Flag = TaskRecord.Waiting, Payload = withFlag.Payload }));
            Assert.That(new[] { withDue, withAttempt, withFlag }.Select(r => r.Payload.ToArray()), Has.All.EqualTo(Payload));
        });
    }

    [Test]
    public async Task TaskRecord_WithTraceContext_LuaKeepsItThroughEveryRewrite_AndCSharpReadsIt()
    {
        await using var scope = new TestScope();
        using var source = new System.Diagnostics.ActivitySource("RedisScheduler.Tests.RoundTrip");
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = s => s == source,
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        using var activity = source.StartActivity("schedule")!;
        activity.TraceStateString = "vendor=a|b~c";
        activity.AddBaggage("user", "x,y=z~|");
        var trace = StoredTraceContext.Capture(activity)!;
        const string Link = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        var reply = (RedisResult[])(await RunAsync(scope, """
            local r = new_record('s', '0', ARGV[1], ARGV[2], ARGV[3], ARGV[4])
            local linked = with_link(with_attempt(r, 'p', 2), ARGV[5])
            return { r, with_due(r, 'w', '42'), linked, with_link(linked, ARGV[5]), with_flag(linked, 'd') }
            """, 1_700_000_000_001, 1_700_000_000_002, Payload, trace, Link))!;

        var records = reply.Select(r => TaskRecord.Parse((byte[])r!)).ToArray();
        var stored = StoredTraceContext.Parse(records[0].TraceContext.AsSpan());
        var linked = StoredTraceContext.Parse(records[2].TraceContext.AsSpan());
        Assert.Multiple(() =>
        {
            Assert.That(records.Select(r => r.ScheduledAtMs), Has.All.EqualTo(1_700_000_000_001));
            Assert.That(records.Select(r => r.Payload.ToArray()), Has.All.EqualTo(Payload));
            Assert.That(records[1].DueAtMs, Is.EqualTo(42));
            Assert.That(stored.Scheduled, Is.EqualTo(activity.Context).Using<System.Diagnostics.ActivityContext>((a, b) => a.TraceId == b.TraceId && a.SpanId == b.SpanId && a.TraceState == b.TraceState));
            Assert.That(stored.Baggage, Is.EqualTo(new[] { new KeyValuePair<string, string?>("user", "x,y=z~|") }));
            Assert.That(StoredTraceContext.Parse(records[1].TraceContext.AsSpan()).Scheduled.SpanId, Is.EqualTo(activity.SpanId), "with_due keeps it");
            Assert.That(linked.Scheduled.SpanId, Is.EqualTo(activity.SpanId), "with_link keeps the scheduling context");
            Assert.That(linked.Link.SpanId.ToString(), Is.EqualTo("b7ad6b7169203331"));
            Assert.That((byte[])reply[3]!, Is.EqualTo((byte[])reply[2]!), "a second link replaces the first");
            Assert.That(records[4].Flag, Is.EqualTo(TaskRecord.DeadLettered));
            Assert.That(records[2].Format(), Is.EqualTo((byte[])reply[2]!), "C# writes the same bytes back");
        });
    }

    [Test]
    public void Link_OnlyFromAW3CActivity_SoNoRecordSeparatorGetsIn()
    {
        // Each a root (started with no current activity): a child takes its parent's format.
        System.Diagnostics.Activity.Current = null;
        using var hierarchical = new System.Diagnostics.Activity("hierarchical").SetIdFormat(System.Diagnostics.ActivityIdFormat.Hierarchical).Start();
        System.Diagnostics.Activity.Current = null;
        using var w3c = new System.Diagnostics.Activity("w3c").SetIdFormat(System.Diagnostics.ActivityIdFormat.W3C).Start();

        Assert.That(StoredTraceContext.CaptureLink(w3c), Is.EqualTo(w3c.Id).And.Not.Contain("|"));
        Assert.That(hierarchical.Id, Does.Contain("|"), "what an app with Activity.DefaultIdFormat = Hierarchical would have stored");
        Assert.That(StoredTraceContext.CaptureLink(hierarchical), Is.Null);
    }

    [Test]
    public async Task TaskRecord_WrittenByLua_IsReadByCSharp()
    {
        await using var scope = new TestScope();

        var written = (byte[])(await RunAsync(scope, "return new_record('w', '7', ARGV[1], ARGV[2], ARGV[3])", 1_700_000_000_001, 1_700_000_000_002, Payload))!;

        var record = TaskRecord.Parse(written);
        Assert.Multiple(() =>
        {
            Assert.That(record.Flag, Is.EqualTo(TaskRecord.AwaitingParents));
            Assert.That(record.Attempt, Is.EqualTo(7));
            Assert.That(record.ScheduledAtMs, Is.EqualTo(1_700_000_000_001));
            Assert.That(record.DueAtMs, Is.EqualTo(1_700_000_000_002));
            Assert.That(record.Payload.ToArray(), Is.EqualTo(Payload));
            Assert.That(record.Format(), Is.EqualTo(written), "C# writes the same bytes back");
        });
    }

    [Test]
    public async Task LeaseMember_FormattedInCSharp_FencesTheDeliveryInLua()
    {
        await using var scope = new TestScope();
        var member = LeaseMember.Format("^c12", "345");
        await scope.Database.SortedSetAddAsync(scope.Keys().InFlight, member, 1);

        var reply = (RedisResult[])(await RunAsync(scope, """
            local function taken(id, token) if take_lease(id, token) then return 1 end return 0 end
            return { lease_id(ARGV[1]), taken(ARGV[2], ARGV[3] .. '0'), taken(ARGV[2], ARGV[3]), taken(ARGV[2], ARGV[3]) }
            """, member, "^c12", "345"))!;

        Assert.That(reply.Select(r => (string)r!), Is.EqualTo(new[] { "^c12", "0", "1", "0" }), "the id, another token's miss, the take, and a second take refused");
    }

    [Test]
    public async Task LeaseMember_FormattedByLua_IsParsedByCSharp()
    {
        await using var scope = new TestScope();

        var member = (string)(await RunAsync(scope, "return lease_member(ARGV[1], ARGV[2])", "=order-42", "99"))!;

        Assert.That(LeaseMember.Parse(member!), Is.EqualTo(("=order-42", "99")));
    }

    [TestCase(0L)]
    [TestCase(9L)]
    [TestCase(10L)]
    [TestCase(123L)]
    [TestCase(4_294_967_296L)]
    [TestCase(999_999_999_999_999L)]
    public async Task GeneratedId_IsTheSameInLuaAndCSharp(long sequence)
    {
        await using var scope = new TestScope();

        var encoded = (string)(await RunAsync(scope, "return encode_id(tonumber(ARGV[1]))", sequence))!;

        Assert.That(encoded, Is.EqualTo(TaskId.Generated(sequence)));
    }

    [Test]
    public void GeneratedIds_SortByBytesInTheOrderTheyWereMade()
    {
        long[] sequences = [0, 1, 9, 10, 99, 100, 12_345, 999_999, 1_000_000, 999_999_999_999_999];

        Assert.That(sequences.Select(TaskId.Generated), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
    }

    [Test]
    public async Task PriorityPrefix_FromCSharp_RoutesToItsReadyListInLua()
    {
        await using var scope = new TestScope();
        var keys = scope.Keys();
        var ids = new[] { TaskPriority.High, TaskPriority.Normal, TaskPriority.Low }
            .Select(p => TaskIdPrefix.For(p) + TaskId.Generated(5))
            .Append(TaskIdPrefix.Continuation + TaskId.Generated(6))
            .Append(TaskIdPrefix.TaskKey + "key")
            .Select(id => (RedisValue)id)
            .ToArray();

        var reply = (RedisResult[])(await RunAsync(scope, """
            local routed = {}
            for i, id in ipairs(ARGV) do
              routed[i] = ready_key(id) .. (is_continuation(id) and ' +' or '')
            end
            return routed
            """, ids))!;

        string ready = keys.Ready!, high = keys.ReadyHigh!, low = keys.ReadyLow!;
        Assert.That(reply.Select(r => (string)r!), Is.EqualTo(new[] { high, ready, low, ready + " +", ready }));
    }

    [Test]
    public async Task PriorityPrefixes_OfLua_AreThoseOfCSharp()
    {
        await using var scope = new TestScope();

        var reply = (RedisResult[])(await RunAsync(scope, "return { HIGH, LOW, CONTINUATION }"))!;

        Assert.That(reply.Select(r => (string)r!), Is.EqualTo(new[] { TaskIdPrefix.High, TaskIdPrefix.Low, TaskIdPrefix.Continuation }));
    }

    /// <summary>Runs <paramref name="body"/> after the prelude every script starts with, with the scope's twenty keys.</summary>
    [Test]
    public async Task ActivityBucket_WrittenInCSharp_IsAddedToByLua_AndReadBack()
    {
        await using var scope = new TestScope();
        const long Minute = 28_333_333; // minute 13 of its hour
        await scope.Database.HashSetAsync(scope.Keys().ActivityOf(Minute / 60), "13", new ActivityBucket(5, 2, 4, 1_000, 400).Format());

        var written = (string)(await RunAsync(scope, """
            local bucket = read_activity(tonumber(ARGV[1]))
            add_activity(bucket, 3, 1, 2, 900, 700)
            local second = read_activity(tonumber(ARGV[1]) + 59999)
            add_activity(second, 1, 0, 1, 5, 5)
            return redis.call('HGET', bucket.key, bucket.field)
            """, Minute * 60_000))!;

        Assert.That(ActivityBucket.Parse(written), Is.EqualTo(new ActivityBucket(9, 3, 7, 1_905, 700)), "both calls fell in the same minute");
        Assert.That(ActivityBucket.Parse(written).Format(), Is.EqualTo(written), "C# writes the same text back");
        Assert.That(ActivityBucket.Parse(written).ToMinuteActivity(DateTimeOffset.UnixEpoch).LatenessAverage, Is.EqualTo(TimeSpan.FromMilliseconds(1_905.0 / 7)));
    }

    [Test]
    public async Task ActivityBucket_WrittenByLuaFromNothing_IsReadByCSharp_AndADamagedOneStartsOver()
    {
        await using var scope = new TestScope();
        const long Minute = 28_333_334; // minute 14 of its hour
        await scope.Database.HashSetAsync(scope.Keys().ActivityOf(Minute / 60), "15", "not|a|bucket");

        var reply = (RedisResult[])(await RunAsync(scope, """
            local fresh = read_activity(tonumber(ARGV[1]))
            add_activity(fresh, 0, 1, 0, 0, 0)
            local damaged = read_activity(tonumber(ARGV[1]) + 60000)
            add_activity(damaged, 2, 0, 0, 0, 0)
            return { redis.call('HGET', fresh.key, fresh.field), redis.call('HGET', damaged.key, damaged.field) }
            """, Minute * 60_000))!;

        Assert.That(ActivityBucket.Parse((string?)reply[0]), Is.EqualTo(new ActivityBucket(0, 1, 0, 0, 0)));
        Assert.That(ActivityBucket.Parse((string?)reply[1]), Is.EqualTo(new ActivityBucket(2, 0, 0, 0, 0)));
        Assert.That(ActivityBucket.Parse("not|a|bucket"), Is.EqualTo(default(ActivityBucket)));
    }

    private static Task<RedisResult> RunAsync(TestScope scope, string body, params RedisValue[] args)
        => scope.Database.ScriptEvaluateAsync(SchedulerScripts.Instance.Prelude + "\n" + body, scope.Keys().All, args);
}
