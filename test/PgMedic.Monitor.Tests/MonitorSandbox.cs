using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests;

/// <summary>
/// One real PostgreSQL for every monitor test: max_connections 28 with 3 reserved = 25 usable slots.
/// The monitor counts its own lifeline like any session, so 21 held connections are 22 in use, 88 %
/// (warning), and 22 held are 92 % (critical).
/// </summary>
public sealed class MonitorSandbox : SandboxFixture
{
    public const int UsableSlots = 25;

    protected override SandboxOptions Options => new() { MaxConnections = 28, SuperuserReservedConnections = 3 };
}

[CollectionDefinition(Name)]
public sealed class MonitorCollection : ICollectionFixture<MonitorSandbox>
{
    public const string Name = "monitor sandbox";
}
