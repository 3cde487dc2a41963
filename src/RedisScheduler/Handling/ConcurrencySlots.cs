namespace RedisScheduler.Handling;

/// <summary>
/// A worker's concurrency: one slot per task it may run at once. A claim asks for as many tasks as
/// it holds slots; a slot comes back when its handler returns, or when the task's acknowledgement
/// lands for the few tasks that keep their slot until then (see <see cref="TryGiveBackBeforeAck"/>).
/// </summary>
internal sealed class ConcurrencySlots(int concurrency, TimeProvider time) : IDisposable
{
    /// <summary>The longest a worker with a backlog waits for more free slots before it claims: bounds the idle time of slots with long handlers.</summary>
    internal static readonly TimeSpan BacklogGatherTime = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// How many tasks per slot may wait for their acknowledgement after giving their slot back: room
    /// for a batch in flight and the next one filling, yet a bound on the tasks that would all run
    /// again if acknowledgements stopped landing while claims still succeed.
    /// </summary>
    private const int MaxAcknowledgingWithoutSlotPerSlot = 4;

    private readonly SemaphoreSlim free = new(concurrency, concurrency);

    /// <summary>Tasks that gave their slot back before their acknowledgement landed.</summary>
    private int acknowledgingWithoutSlot;

    /// <summary>
    /// Waits for a free slot and takes every other free one. With a backlog it first gathers up to
    /// half the slots (briefly), so one claim round trip serves many tasks instead of one claim per
    /// task that finishes.
    /// </summary>
    /// <returns>How many slots were taken: the most tasks the next claim may take.</returns>
    public async Task<int> TakeAsync(bool backlog, CancellationToken stoppingToken)
    {
        await free.WaitAsync(stoppingToken).ConfigureAwait(false);
        var taken = 1;
        if (backlog)
        {
            using var gathering = new CancellationTokenSource(BacklogGatherTime, time);
            try
            {
                while (taken < (concurrency + 1) / 2)
                {
                    await free.WaitAsync(gathering.Token).ConfigureAwait(false);
                    taken++;
                }
            }
            catch (OperationCanceledException)
            {
                // Only the gathering time ran out: claim with the slots gathered so far (a stop is
                // noticed by the claim or the next wait, and the slots are given back).
            }
        }

        while (taken < concurrency && free.Wait(0, CancellationToken.None))
        {
            taken++;
        }

        return taken;
    }

    /// <summary>Takes up to <paramref name="most"/> slots that are free now, without waiting (the next partition of a claim round).</summary>
    /// <returns>How many were taken.</returns>
    public int TryTake(int most)
    {
        var taken = 0;
        while (taken < most && free.Wait(0, CancellationToken.None))
        {
            taken++;
        }

        return taken;
    }

    /// <summary>Gives slots back; a claim or handler that ends after its worker stopped finds the slots gone.</summary>
    public void GiveBack(int count = 1)
    {
        if (count <= 0)
        {
            return;
        }

        try
        {
            free.Release(count);
        }
        catch (ObjectDisposedException)
        {
            // The worker has stopped: an abandoned handler returned late. Nothing waits for the slot.
        }
    }

    /// <summary>
    /// A handler succeeded and its acknowledgement is queued: its slot is given back now, so the next
    /// task need not wait a round trip for the acknowledgement, unless
    /// <c>4 x concurrency</c> tasks already wait like that. Then it keeps its slot until
    /// <see cref="AcknowledgementLanded"/>: if acknowledgements are held up, claiming slows down
    /// instead of piling up tasks that would all run again if they never landed.
    /// </summary>
    /// <returns><see langword="true"/> when the slot was given back; <see langword="false"/> when the task keeps it.</returns>
    public bool TryGiveBackBeforeAck()
    {
        if (Interlocked.Increment(ref acknowledgingWithoutSlot) <= MaxAcknowledgingWithoutSlotPerSlot * concurrency)
        {
            GiveBack();
            return true;
        }

        Interlocked.Decrement(ref acknowledgingWithoutSlot);
        return false;
    }

    /// <summary>An acknowledgement landed (or was given up on): the task's slot comes back if it kept it.</summary>
    public void AcknowledgementLanded(bool heldSlot)
    {
        if (heldSlot)
        {
            GiveBack();
        }
        else
        {
            Interlocked.Decrement(ref acknowledgingWithoutSlot);
        }
    }

    /// <summary>
    /// Takes every slot back, which means every handler has returned (or reported its failure),
    /// waiting at most <paramref name="timeout"/>.
    /// </summary>
    /// <returns><see langword="false"/> when handlers were still running when the time ran out.</returns>
    public async Task<bool> WaitForAllAsync(TimeSpan timeout)
    {
        using var limit = new CancellationTokenSource(timeout, time);
        try
        {
            for (var acquired = 0; acquired < concurrency; acquired++)
            {
                await free.WaitAsync(limit.Token).ConfigureAwait(false);
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public void Dispose() => free.Dispose();
}
