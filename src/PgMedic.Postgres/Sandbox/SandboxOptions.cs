namespace PgMedic.Postgres.Sandbox;

/// <summary>How to start a throwaway PostgreSQL server.</summary>
public sealed record SandboxOptions
{
    /// <summary>The server's <c>max_connections</c>.</summary>
    public int MaxConnections { get; init; } = 50;

    /// <summary>The server's <c>superuser_reserved_connections</c> (PostgreSQL's default is 3).</summary>
    public int SuperuserReservedConnections { get; init; } = 3;

    /// <summary>Any other server settings, written to postgresql.conf as given (e.g. <c>idle_in_transaction_session_timeout</c>).</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>Run <c>CREATE EXTENSION pg_stat_statements</c> in the <c>postgres</c> database after start.</summary>
    public bool CreatePgStatStatements { get; init; } = true;

    /// <summary>How long start-up may take before it is given up.</summary>
    public TimeSpan StartTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Where sandbox directories are made; their parents must be traversable by the postgres OS user.</summary>
    public string TempRoot { get; init; } = DefaultTempRoot;

    internal static string DefaultTempRoot => Path.GetTempPath();

    /// <summary>Every problem with these options at once, or an empty list.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxConnections is < 2 or > 10000)
        {
            errors.Add($"MaxConnections must be between 2 and 10000 (was {MaxConnections})");
        }

        if (SuperuserReservedConnections < 0 || SuperuserReservedConnections >= MaxConnections)
        {
            errors.Add($"SuperuserReservedConnections must be at least 0 and below MaxConnections (was {SuperuserReservedConnections})");
        }

        if (StartTimeout <= TimeSpan.Zero)
        {
            errors.Add("StartTimeout must be positive");
        }

        foreach (var name in Settings.Keys.Where(k => k.Length == 0 || !k.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.')))
        {
            errors.Add($"setting name '{name}' is not a PostgreSQL parameter name");
        }

        return errors;
    }
}
