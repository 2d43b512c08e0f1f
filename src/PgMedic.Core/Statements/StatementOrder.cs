namespace PgMedic.Core.Statements;

/// <summary>How <c>pgmedic slow-queries</c> ranks statements, highest first.</summary>
public enum StatementOrder
{
    /// <summary>Mean execution time per call: the statements that hold a connection longest each time.</summary>
    Mean,

    /// <summary>Total execution time: where the server's time goes.</summary>
    Total,

    /// <summary>Number of calls.</summary>
    Calls,
}
