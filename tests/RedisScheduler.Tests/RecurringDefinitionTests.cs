using NUnit.Framework;
using RedisScheduler.Recurring;

namespace RedisScheduler.Tests;

/// <summary>Occurrence and misfire arithmetic, without Redis.</summary>
public sealed class RecurringDefinitionTests
{
    private static long Ms(string instant) => DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();

    [Test]
    public void NextAfter_CronWithSeconds_IsStrictlyAfter()
    {
        var every15s = new RecurringDefinition("*/15 * * * * *", null, "UTC", MisfirePolicy.RunOnce, 60_000, "{}");

        Assert.That(every15s.NextAfter(Ms("2026-11-23T10:00:15Z")), Is.EqualTo(Ms("2026-11-23T10:00:30Z")));
    }

    [Test]
    public void NextAfter_CronInTimeZone_FollowsDaylightSavingChange()
    {
        // 09:00 Berlin time every day: 08:00 UTC in summer (CEST), 09:00 UTC after the change on 25 Oct 2026.
        var daily = new RecurringDefinition("0 9 * * *", null, "Europe/Berlin", MisfirePolicy.RunOnce, 60_000, "{}");

        var beforeChange = daily.NextAfter(Ms("2026-10-24T12:00:00Z"));
        var afterChange = daily.NextAfter(beforeChange!.Value);

        Assert.That(beforeChange, Is.EqualTo(Ms("2026-10-25T08:00:00Z")));
        Assert.That(afterChange, Is.EqualTo(Ms("2026-10-26T08:00:00Z")), "09:00 CET is 08:00 UTC: a day of 25 hours lies between");
    }

    [Test]
    public void Decide_OnTimeOccurrence_RunsAndMovesToTheNext()
    {
        var hourly = new RecurringDefinition(null, 3_600_000, "UTC", MisfirePolicy.Skip, 60_000, "{}");

        Assert.That(hourly.Decide(occurrenceMs: 1_000_000, nowMs: 1_030_000), Is.EqualTo((true, (long?)4_600_000)));
    }

    [TestCase(MisfirePolicy.RunOnce, true)]
    [TestCase(MisfirePolicy.Skip, false)]
    public void Decide_OccurrencesMissedWhileDown_RunOnceOrSkipAndResumeAfterNow(MisfirePolicy policy, bool runs)
    {
        var everyMinute = new RecurringDefinition(null, 60_000, "UTC", policy, 60_000, "{}");

        // Down for ten and a half minutes: ten occurrences missed, collapsed into one decision.
        var (run, next) = everyMinute.Decide(occurrenceMs: 0, nowMs: 630_000);

        Assert.That(run, Is.EqualTo(runs));
        Assert.That(next, Is.EqualTo(660_000), "the first occurrence after now, on the original grid");
    }

    [Test]
    public void ParseCron_Invalid_SaysHowToWriteOne()
    {
        var error = Assert.Throws<ArgumentException>(() => RecurringDefinition.ParseCron("every tuesday"));

        Assert.That(error!.Message, Does.Contain("five fields"));
    }
}
