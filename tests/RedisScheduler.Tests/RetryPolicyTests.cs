using NUnit.Framework;

namespace RedisScheduler.Tests;

public sealed class RetryPolicyTests
{
    [TestCase(1, 1_000)]
    [TestCase(2, 2_000)]
    [TestCase(5, 16_000)]
    [TestCase(30, 300_000)]
    public void DelayAfter_NoJitter_DoublesUpToMaxDelay(int failedAttempt, int expectedMs)
    {
        var policy = new RetryPolicy { JitterFactor = 0 };

        Assert.That(policy.DelayAfter(failedAttempt, 0.5), Is.EqualTo(TimeSpan.FromMilliseconds(expectedMs)));
    }

    [Test]
    public void DelayAfter_WithJitter_StaysWithinBandAndUnderMaxDelay()
    {
        var policy = new RetryPolicy { InitialDelay = TimeSpan.FromSeconds(10), JitterFactor = 0.2, MaxDelay = TimeSpan.FromSeconds(11) };

        Assert.Multiple(() =>
        {
            Assert.That(policy.DelayAfter(1, 0), Is.EqualTo(TimeSpan.FromSeconds(8)));
            Assert.That(policy.DelayAfter(1, 0.999), Is.EqualTo(TimeSpan.FromSeconds(11)), "jitter never goes past MaxDelay");
            Assert.That(policy.DelayAfter(3, 0), Is.EqualTo(TimeSpan.FromSeconds(8.8)), "capped, then jittered");
        });
    }

    [Test]
    public void Validate_BadValues_SaysWhatToFix()
    {
        var policy = new RetryPolicy { MaxAttempts = 0, InitialDelay = TimeSpan.FromMinutes(10), MaxDelay = TimeSpan.FromMinutes(1), BackoffMultiplier = 0.5, JitterFactor = 2 };

        var problems = policy.Validate("Retry").ToList();

        Assert.That(problems, Has.Count.EqualTo(4));
        Assert.That(string.Join(" ", problems), Does.Contain("MaxAttempts").And.Contain("InitialDelay").And.Contain("BackoffMultiplier").And.Contain("JitterFactor"));
    }
}
