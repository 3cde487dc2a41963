using StackExchange.Redis;

namespace RedisScheduler.Storage;

/// <summary>What <see cref="ReplicaWait.EvaluateAsync"/> got: each call's reply, and how many replicas confirmed them.</summary>
internal readonly record struct ReplicatedReplies(RedisResult[] Replies, int Acknowledged, Exception? WaitFailure);
