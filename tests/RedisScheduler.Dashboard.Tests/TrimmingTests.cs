using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using NUnit.Framework;

namespace RedisScheduler.Dashboard.Tests;

/// <summary>The dashboard schedules registered payload classes without making generic methods or types at run time.</summary>
public sealed class TrimmingTests
{
    [Test]
    public void DashboardAssembly_ReferencesNoRuntimeGenericInstantiation()
    {
        using var stream = File.OpenRead(typeof(RedisSchedulerDashboardOptions).Assembly.Location);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();

        var called = metadata.MemberReferences.Select(h => metadata.GetString(metadata.GetMemberReference(h).Name)).ToList();

        Assert.That(called, Does.Not.Contain("MakeGenericMethod").And.Not.Contain("MakeGenericType"));
        Assert.That(called, Does.Contain("ScheduleRegisteredAsync"), "the non-generic path is the one used");
    }
}
