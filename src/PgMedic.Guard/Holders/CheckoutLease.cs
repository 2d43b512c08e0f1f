using System.Data;
using System.Diagnostics;
using Npgsql;

namespace PgMedic.Guard.Holders;

/// <summary>
/// The guard's record of one checkout, from the moment it was admitted until the connection is
/// closed or disposed. Mutable fields are read and written under the guard's lock.
/// </summary>
internal sealed class CheckoutLease
{
    private readonly GuardedDataSource _owner;
    private string? _stackText;

    public CheckoutLease(GuardedDataSource owner, CallSite callSite, StackTrace? stack)
    {
        _owner = owner;
        CallSite = callSite;
        Stack = stack;
        Node = new LinkedListNode<CheckoutLease>(this);
    }

    public CallSite CallSite { get; }

    public StackTrace? Stack { get; }

    /// <summary>Its place in the guard's holder list, which is in checkout order, so oldest first.</summary>
    public LinkedListNode<CheckoutLease> Node { get; }

    public long Id { get; set; }

    public long AdmittedTimestamp { get; set; }

    public int BackendPid { get; set; }

    public bool Reported { get; set; }

    public NpgsqlConnection? Connection { get; private set; }

    public string? StackText => Stack is null ? null : _stackText ??= Stack.ToString();

    public void Attach(NpgsqlConnection connection)
    {
        Connection = connection;
        connection.StateChange += OnStateChange;
    }

    public void Detach()
    {
        if (Connection is { } connection)
        {
            connection.StateChange -= OnStateChange;
        }
    }

    // Close and Dispose both raise StateChange, and so does a connection that breaks: in each case
    // the physical connection is no longer the user's, so the slot is free again.
    private void OnStateChange(object? sender, StateChangeEventArgs e)
    {
        if ((e.CurrentState & ConnectionState.Open) == 0 && e.CurrentState != ConnectionState.Connecting)
        {
            Detach();
            _owner.Return(this);
        }
    }
}
