namespace RedisScheduler.WebSample;

/// <summary>An e-mail to send; its handler fails now and then, so the dashboard shows retries and dead letters.</summary>
[TaskType("email")]
public sealed record Email(string To, string Subject);

/// <summary>One photo of an album to resize: the tasks of a batch.</summary>
[TaskType("thumbnail")]
public sealed record Thumbnail(string Album, int Photo);

/// <summary>Runs once every thumbnail of its album's batch has finished.</summary>
[TaskType("album-ready")]
public sealed record AlbumReady(string Album);

/// <summary>A recurring clean-up, every 30 seconds.</summary>
[TaskType("cleanup")]
public sealed record Cleanup(string What);
