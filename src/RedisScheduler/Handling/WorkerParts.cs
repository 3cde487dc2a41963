using Microsoft.Extensions.Logging;
using RedisScheduler.Common;
using RedisScheduler.Continuations;
using RedisScheduler.Diagnostics;
using RedisScheduler.Recurring;
using RedisScheduler.Storage;

namespace RedisScheduler.Handling;

/// <summary>
/// The collaborators of one run of a <see cref="TaskWorker"/>, wired together: what a task meets on
/// its way through the worker, in order. Tests build them the same way to drive a worker one claim
/// round at a time, without a host.
/// </summary>
internal sealed class WorkerParts : IDisposable
{
    public WorkerParts(
        TaskTypeKeys keys,
        TaskHandlerOptions handler,
        RedisSchedulerOptions options,
        RedisConnection connection,
        OutboxPump outbox,
        ITaskHandlerInvoker invoker,
        TimeProvider time,
        ILogger logger,
        CancellationToken stoppingToken,
        WorkerParts? sharing = null)
    {
        var retry = handler.Retry ?? options.Retry;
        // The partitions of a type share the worker's slots (its Concurrency) and its wake-up signal.
        owner = sharing is null;
        Signal = sharing?.Signal ?? new WakeSignal();
        topology = connection.Topology;
        wakeOnTopologyChange = Signal.Set;
        if (owner)
        {
            // A topology change ends an idle sleep: a partition whose master was failing is tried again
            // (WorkerPartitions), and a wake-up published while the wake channel's subscription was
            // moving to another server, and so lost, is made up for by one claim.
            topology.Changed += wakeOnTopologyChange;
        }

        Slots = sharing?.Slots ?? new ConcurrencySlots(handler.Concurrency, time);
        // The claimer reads the cluster-wide limits from its own copy, which ShareLimits changes.
        limits = new TaskHandlerOptions { GlobalConcurrencyLimit = handler.GlobalConcurrencyLimit, RateLimitPerSecond = handler.RateLimitPerSecond };
        this.handler = handler;
        Keys = keys;
        Outbox = outbox;
        InFlight = new InFlightTasks();
        Running = RunningHandlers.Register(keys.TaskType);
        // A failed claim or finishing call of the partition makes the next of either check its master first.
        var master = new MasterReachability(keys, connection.Topology, time, logger);
        Reporter = new OutcomeReporter(keys, options, retry, Slots, InFlight, new OutcomeSender(keys, connection, master, options.LeaseDuration, time, logger), outbox, invoker, logger);
        var handlers = new HandlerRunQueue(new TaskRunner(keys.TaskType, handler.LinkToSchedulingTrace, invoker, Reporter, InFlight, Slots, Running, time, logger, stoppingToken));
        Claimer = new TaskClaimer(
            keys,
            limits,
            retry,
            options,
            new RetentionSweepTimer(options.DeadLetterRetention, options.ResultRetention, time),
            new RecurringOccurrences(keys, logger),
            InFlight,
            Slots,
            handlers,
            master,
            time,
            logger);
        IdleWait = new IdleWait(Signal, options.MaxIdleDelay, time);
        Wake = new WakeSubscription(keys, Signal);
        Renewer = new LeaseRenewer(keys, InFlight, connection, options.LeaseDuration, time, logger);
        Gauges = TaskGauges.Register(keys, connection, time, logger);
    }

    private readonly bool owner;
    private readonly TopologyChanges topology;
    private readonly Action wakeOnTopologyChange;
    private readonly TaskHandlerOptions handler;
    private readonly TaskHandlerOptions limits;

    /// <summary>The keys of the partition these parts claim from.</summary>
    public TaskTypeKeys Keys { get; }

    /// <summary>Delivers this partition's outbox to continuations.</summary>
    public OutboxPump Outbox { get; }

    /// <summary>1. Free slots decide how many tasks a claim may take.</summary>
    public ConcurrencySlots Slots { get; }

    /// <summary>2. A claim round takes tasks and starts their handlers.</summary>
    public TaskClaimer Claimer { get; }

    /// <summary>3. The tasks held from their claim until their outcome reached Redis.</summary>
    public InFlightTasks InFlight { get; }

    /// <summary>4. What came of each handler goes to Redis.</summary>
    public OutcomeReporter Reporter { get; }

    /// <summary>Keeps the leases of long handlers.</summary>
    public LeaseRenewer Renewer { get; }

    /// <summary>Between claims that found nothing: the sleep until the next due time.</summary>
    public IdleWait IdleWait { get; }

    /// <summary>Ends an idle wait early when an earlier task is scheduled.</summary>
    public WakeSubscription Wake { get; }

    /// <summary>Reports the type's backlog as observable gauges while the worker runs.</summary>
    private IDisposable Gauges { get; }

    private RunningHandlers Running { get; }

    private WakeSignal Signal { get; }

    /// <summary>
    /// Gives this partition its share of the type's cluster-wide limits: one claim.lua call can only
    /// count one partition's deliveries (one cluster slot), so each of <paramref name="partitions"/>
    /// enforces ⌊limit / partitions⌋, the first (limit mod partitions) one more, and the shares add up
    /// to the limit. A share is never below 1 (0 would mean no limit to claim.lua, and the partition's
    /// tasks would never run), so with more partitions than the limit, at most one per partition run.
    /// </summary>
    public void ShareLimits(int partition, int partitions)
    {
        limits.GlobalConcurrencyLimit = Share(handler.GlobalConcurrencyLimit, partition, partitions);
        limits.RateLimitPerSecond = Share(handler.RateLimitPerSecond, partition, partitions);

        static int? Share(int? limit, int partition, int partitions)
            => limit is { } total ? Math.Max(1, (total / partitions) + (partition < total % partitions ? 1 : 0)) : null;
    }

    public void Dispose()
    {
        Gauges.Dispose();
        Running.Dispose();
        if (owner)
        {
            topology.Changed -= wakeOnTopologyChange;
            Slots.Dispose();
            Signal.Dispose();
        }
    }
}
