namespace RedisScheduler.Benchmarks;

/// <summary>
/// A typical small payload: 110 bytes as JSON,
/// <c>{"orderId":123456,"customer":"c-000123","amount":42.5,"note":"xxx…(46 x)"}</c>.
/// </summary>
[TaskType("order")]
internal sealed record OrderPayload(int OrderId, string Customer, decimal Amount, string Note)
{
    public const int JsonLength = 110;

    public static OrderPayload Sample { get; } = new(123456, "c-000123", 42.5m, new string('x', 46));
}
