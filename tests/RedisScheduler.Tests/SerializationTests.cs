using System.Text.Json.Serialization;
using NUnit.Framework;
using RedisScheduler.Tests.Infrastructure;

namespace RedisScheduler.Tests;

public sealed partial class SerializationTests
{
    [Test]
    public async Task Schedule_WithSourceGeneratedContext_StoresItsJson()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler(o => o.JsonSerializerOptions = GeneratedContext.Default.Options);

        var id = await scheduler.EnqueueTaskAsync(new Invoice(7, "EUR"));

        var task = await scheduler.GetTaskAsync(id);
        // The context's own naming policy (snake_case) proves it, not reflection defaults, did the work.
        Assert.That(task!.PayloadJson, Is.EqualTo("{\"invoice_number\":7,\"currency\":\"EUR\"}"));
    }

    [Test]
    public async Task Schedule_TypeMissingFromSourceGeneratedContext_ThrowsAndWritesNothing()
    {
        await using var scope = new TestScope();
        var scheduler = scope.CreateScheduler(o => o.JsonSerializerOptions = GeneratedContext.Default.Options);

        var error = Assert.ThrowsAsync<ArgumentException>(() => scheduler.EnqueueTaskAsync(new ProbeTask(1)));

        Assert.That(error!.Message, Does.Contain("JsonSerializerContext"));
        Assert.That(scope.KeysWritten(), Is.Empty);
    }

    [TaskType("invoice")]
    public sealed record Invoice(int InvoiceNumber, string Currency);

    [JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
    [JsonSerializable(typeof(Invoice))]
    internal sealed partial class GeneratedContext : JsonSerializerContext;
}
