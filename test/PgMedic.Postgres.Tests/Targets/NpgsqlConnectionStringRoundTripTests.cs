using Npgsql;
using static PgMedic.Postgres.Tests.Targets.TargetTestKit;

namespace PgMedic.Postgres.Tests.Targets;

public sealed class NpgsqlConnectionStringRoundTripTests
{
    [Theory]
    [InlineData("postgres://app:pw@db.example.com:5433/shop?sslmode=verify-full&connect_timeout=7&application_name=job", "db.example.com", 5433, "shop", "app", "pw", SslMode.VerifyFull, 7, "job")]
    [InlineData("host=::1 port=6432 dbname='my db' user=app password='p;a=ss\"w\\'d' sslmode=require", "::1", 6432, "my db", "app", "p;a=ss\"w'd", SslMode.Require, 15, "pgmedic")]
    [InlineData("postgresql:///shop?host=/var/run/postgresql&user=app", "/var/run/postgresql", 5432, "shop", "app", null, SslMode.Prefer, 15, "pgmedic")]
    [InlineData("Host=db;Username=app;Password=\"a;b\";SSL Mode=Disable;Timeout=3", "db", 5432, "app", "app", "a;b", SslMode.Disable, 3, "pgmedic")]
    [InlineData("postgres://%C3%A9mile:%E2%82%AC%20x@db/caf%C3%A9?sslmode=verify-ca", "db", 5432, "café", "émile", "€ x", SslMode.VerifyCA, 15, "pgmedic")]
    [InlineData("host=db sslmode=allow connect_timeout=0", "db", 5432, OsUser, OsUser, null, SslMode.Allow, 15, "pgmedic")]
    public void ToNpgsqlConnectionString_ResolvedTarget_RoundTrips(string argument, string host, int port, string database, string user, string? password, SslMode sslMode, int timeout, string applicationName)
    {
        var connectionString = Target(argument).ToNpgsqlConnectionString();

        var parsed = new NpgsqlConnectionStringBuilder(connectionString);
        Assert.Equal(host, parsed.Host);
        Assert.Equal(port, parsed.Port);
        Assert.Equal(database, parsed.Database);
        Assert.Equal(user, parsed.Username);
        Assert.Equal(password, parsed.Password);
        Assert.Equal(sslMode, parsed.SslMode);
        Assert.Equal(timeout, parsed.Timeout);
        Assert.Equal(applicationName, parsed.ApplicationName);
        Assert.False(parsed.Pooling);
    }

    [Fact]
    public void ToNpgsqlConnectionString_ParsedAgainAsTarget_GivesTheSameTarget()
    {
        var original = Target("postgres://app:p%3Bw@db:5433/shop?sslmode=require&connect_timeout=9&application_name=job");

        var again = Target(original.ToNpgsqlConnectionString());

        Assert.Equal(original, again);
    }

    [Fact]
    public void ToNpgsqlConnectionString_CallerOptions_OverrideTheTarget()
    {
        var target = Target("postgres://app@db/shop?connect_timeout=9&application_name=job");

        var parsed = new NpgsqlConnectionStringBuilder(target.ToNpgsqlConnectionString("pgmedic-probe", TimeSpan.FromSeconds(2.5), pooling: true));

        Assert.Equal("pgmedic-probe", parsed.ApplicationName);
        Assert.Equal(3, parsed.Timeout);
        Assert.True(parsed.Pooling);
    }
}
