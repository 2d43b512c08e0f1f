using Npgsql;

namespace PgMedic.Guard.Errors;

/// <summary>The guard is in maintenance mode: new checkouts fail at once, existing ones run to the end.</summary>
public sealed class MaintenanceModeException : NpgsqlException
{
    public MaintenanceModeException()
        : base("PgMedic.Guard is in maintenance mode: new database connections are refused")
    {
    }

    public MaintenanceModeException(string message)
        : base(message)
    {
    }

    public MaintenanceModeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Retrying is right once maintenance ends.</summary>
    public override bool IsTransient => true;
}
