namespace RedisScheduler.WebSample;

public sealed class EmailHandler : TaskHandler<Email>
{
    protected override async Task HandleAsync(Email payload, TaskContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(Random.Shared.Next(20, 200), cancellationToken);
        // One attempt in four fails: retried with backoff, and dead-lettered once the attempts run out.
        if (Random.Shared.Next(4) == 0)
        {
            throw new InvalidOperationException($"The mail server refused '{payload.Subject}' (attempt {context.Attempt}).");
        }
    }
}

public sealed class ThumbnailHandler : TaskHandler<Thumbnail>
{
    protected override Task HandleAsync(Thumbnail payload, TaskContext context, CancellationToken cancellationToken)
        => Task.Delay(Random.Shared.Next(50, 500), cancellationToken);
}

/// <summary>The batch's completion: a real app would publish the album here.</summary>
public sealed class AlbumReadyHandler : TaskHandler<AlbumReady>
{
    protected override Task HandleAsync(AlbumReady payload, TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
}

public sealed class CleanupHandler : TaskHandler<Cleanup>
{
    protected override Task HandleAsync(Cleanup payload, TaskContext context, CancellationToken cancellationToken) => Task.Delay(100, cancellationToken);
}
