using Npgsql;

namespace PgMedic.Guard.Errors;

/// <summary>The guard is in maintenance mode: new checkouts fail at once, existing ones run to the end.</summary>
public sealed class MaintenanceModeException : NpgsqlException
{
    /// <summary>A checkout refused because the guard is in maintenance mode.</summary>
    public MaintenanceModeException()
        : base("PgMedic.Guard is in maintenance mode: new database connections are refused")
    {
    }

    /// <summary>A checkout refused in maintenance mode, with this message.</summary>
    /// <param name="message">Why the checkout was refused.</param>
    public MaintenanceModeException(string message)
        : base(message)
    {
    }

    /// <summary>A checkout refused in maintenance mode, with this message and cause.</summary>
    /// <param name="message">Why the checkout was refused.</param>
    /// <param name="innerException">The error that caused it.</param>
    public MaintenanceModeException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Retrying is right once maintenance ends.</summary>
    public override bool IsTransient => true;
}
