using PgMedic.Guard.Holders;

namespace PgMedic.Guard.Admission;

/// <summary>
/// One checkout queued for a slot. Waiters sit in a linked list under the guard's lock and are served
/// strictly first come, first served, which SemaphoreSlim does not promise.
/// </summary>
internal sealed class Waiter
{
    public Waiter(CheckoutLease lease)
    {
        Lease = lease;
        Node = new LinkedListNode<Waiter>(this);
    }

    public CheckoutLease Lease { get; }

    public LinkedListNode<Waiter> Node { get; }

    /// <summary>Set under the lock when a slot was handed over; the completion follows outside it.</summary>
    public bool Granted { get; set; }

    // Continuations run on the thread pool, never inline inside another user's Dispose.
    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
