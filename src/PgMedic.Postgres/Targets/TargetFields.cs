namespace PgMedic.Postgres.Targets;

/// <summary>
/// What one source (the TARGET argument, DATABASE_URL or the PG* variables) said, before the gaps
/// are filled. Null means "not given", so a later source may fill it; an empty string means
/// "given as empty" and is kept, as libpq keeps it, then replaced by the default at the end.
/// </summary>
internal sealed record TargetFields
{
    public string? Host { get; init; }

    /// <summary>libpq hostaddr: a numeric address to connect to without a DNS lookup.</summary>
    public string? HostAddress { get; init; }

    public int? Port { get; init; }

    public string? Database { get; init; }

    public string? User { get; init; }

    public string? Password { get; init; }

    /// <summary>Normalised to the libpq spelling (verify-full, not VerifyFull).</summary>
    public string? SslMode { get; init; }

    /// <summary>Zero means "wait indefinitely", as in libpq; it still stops a later source filling the gap.</summary>
    public TimeSpan? ConnectTimeout { get; init; }

    public string? ApplicationName { get; init; }

    public string? PasswordFile { get; init; }
}
