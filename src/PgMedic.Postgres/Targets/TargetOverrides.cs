namespace PgMedic.Postgres.Targets;

/// <summary>
/// psql's connection options (<c>-h -p -U -d</c>) as the user typed them; null means "not given".
/// They replace the matching parts of TARGET, or, with no TARGET, combine with the PG* variables.
/// </summary>
public sealed record TargetOverrides
{
    public static readonly TargetOverrides None = new();

    public string? Host { get; init; }

    /// <summary>Text, so that a bad port is reported like any other bad port, not as a parse failure.</summary>
    public string? Port { get; init; }

    public string? User { get; init; }

    public string? Database { get; init; }

    public bool Any => Host is not null || Port is not null || User is not null || Database is not null;
}
