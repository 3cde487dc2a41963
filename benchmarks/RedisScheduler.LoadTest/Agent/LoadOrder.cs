namespace RedisScheduler.LoadTest.Agent;

/// <summary>
/// The load test's payload: 110 bytes as camelCase JSON,
/// <c>{"orderId":123456,"customer":"c-000123","amount":42.5,"note":"xxx…(46 x)"}</c>, for six-digit
/// order ids. The order id doubles as the task's number, so a handler's record says which task ran.
/// </summary>
internal sealed record LoadOrder(int OrderId, string Customer, decimal Amount, string Note) : ILoadOrder
{
    private static readonly string Note46 = new('x', 46);

    public static LoadOrder For(int orderId)
        => new(orderId, $"c-{orderId % 1_000_000:000000}", 42.5m, Note46);
}

/// <summary>What a load-test payload of any task type carries for the recorder (see Systems/LoadTaskTypes.cs).</summary>
internal interface ILoadOrder
{
    int OrderId { get; }
}
