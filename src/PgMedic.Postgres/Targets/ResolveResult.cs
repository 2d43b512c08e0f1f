namespace PgMedic.Postgres.Targets;

/// <summary>
/// A resolved target and what the user should be told about how it was resolved (for example
/// a password file that was ignored because others can read it). Warnings never hold a password.
/// </summary>
public sealed record ResolveResult(ConnectionTarget Target, IReadOnlyList<string> Warnings);
