using PgMedic.Postgres.Targets;
using static PgMedic.Postgres.Tests.Targets.TargetTestKit;

namespace PgMedic.Postgres.Tests.Targets;

public sealed class UrlParsingTests
{
    [Theory]
    [InlineData("postgres://app:pw@db.example.com:5433/shop", "db.example.com", 5433, "shop", "app", "pw")]
    [InlineData("postgresql://app@db/shop", "db", 5432, "shop", "app", null)]
    [InlineData("postgres://db", "db", 5432, OsUser, OsUser, null)]
    [InlineData("postgres://db/", "db", 5432, OsUser, OsUser, null)]
    [InlineData("postgres://db:6000", "db", 6000, OsUser, OsUser, null)]
    [InlineData("POSTGRES://DB/shop", "DB", 5432, "shop", OsUser, null)]
    [InlineData("PostgreSQL://db/shop", "db", 5432, "shop", OsUser, null)]
    [InlineData("  postgres://db/shop  ", "db", 5432, "shop", OsUser, null)]
    [InlineData("postgres://app:@db/shop", "db", 5432, "shop", "app", null)]
    [InlineData("postgres://:pw@db/shop", "db", 5432, "shop", OsUser, "pw")]
    [InlineData("postgres:///shop", "localhost", 5432, "shop", OsUser, null)]
    [InlineData("postgres://:5433/shop", "localhost", 5433, "shop", OsUser, null)]
    [InlineData("postgres://", "localhost", 5432, OsUser, OsUser, null)]
    [InlineData("postgres://db?sslmode=require", "db", 5432, OsUser, OsUser, null)]
    public void Parse_ValidUrl_ReadsEveryPart(string url, string host, int port, string database, string user, string? password)
    {
        var target = Target(url);

        Assert.Equal(host, target.Host);
        Assert.Equal(port, target.Port);
        Assert.Equal(database, target.Database);
        Assert.Equal(user, target.User);
        Assert.Equal(password, target.Password);
        Assert.Equal(TargetSource.Argument, target.Source);
    }

    [Theory]
    [InlineData("postgres://app:p%40ss%3Aw%2Ford@db/shop", "app", "p@ss:w/ord", "shop")]
    [InlineData("postgres://app:p@ss@db/shop", "app", "p@ss", "shop")]
    [InlineData("postgres://app:a:b:c@db/shop", "app", "a:b:c", "shop")]
    [InlineData("postgres://app:a+b%20c@db/shop", "app", "a+b c", "shop")]
    [InlineData("postgres://app:pa?ss@db/shop", "app", "pa?ss", "shop")]
    [InlineData("postgres://%C3%A9mile:%E2%82%AC@db/caf%C3%A9", "émile", "€", "café")]
    [InlineData("postgres://my%20user@db/my%20db", "my user", null, "my db")]
    [InlineData("postgres://app%3Aadmin:pw@db/a%2Fb", "app:admin", "pw", "a/b")]
    [InlineData("postgres://app:%2B%25%26%3D@db/shop", "app", "+%&=", "shop")]
    [InlineData("postgres://db/%7Eshop%7e", OsUser, null, "~shop~")]
    public void Parse_PercentEncodedParts_AreDecoded(string url, string user, string? password, string database)
    {
        var target = Target(url);

        Assert.Equal(user, target.User);
        Assert.Equal(password, target.Password);
        Assert.Equal(database, target.Database);
    }

    [Theory]
    [InlineData("postgres://[::1]/shop", "::1", 5432)]
    [InlineData("postgres://[::1]:5433/shop", "::1", 5433)]
    [InlineData("postgres://app:pw@[2001:db8::10]:6432/shop", "2001:db8::10", 6432)]
    [InlineData("postgres://[fe80::1%25eth0]/shop", "fe80::1%eth0", 5432)]
    [InlineData("postgres://[::ffff:10.0.0.1]", "::ffff:10.0.0.1", 5432)]
    [InlineData("postgres://10.0.0.1:5433/shop", "10.0.0.1", 5433)]
    public void Parse_IpAddressHost_KeepsAddressAndPort(string url, string host, int port)
    {
        var target = Target(url);

        Assert.Equal(host, target.Host);
        Assert.Equal(port, target.Port);
    }

    [Theory]
    [InlineData("postgresql:///shop?host=/var/run/postgresql", "/var/run/postgresql")]
    [InlineData("postgresql:///shop?host=%2Fvar%2Frun%2Fpostgresql", "/var/run/postgresql")]
    [InlineData("postgresql://%2Ftmp/shop", "/tmp")]
    [InlineData("postgresql://ignored/shop?host=/tmp", "/tmp")]
    public void Parse_SocketDirectoryHost_IsKeptAsPath(string url, string host)
    {
        var target = Target(url);

        Assert.Equal(host, target.Host);
        Assert.Equal("shop", target.Database);
    }

    [Theory]
    [InlineData("postgres://db/shop?sslmode=verify-full", "verify-full", null, null)]
    [InlineData("postgres://db/shop?sslmode=REQUIRE", "require", null, null)]
    [InlineData("postgres://db/shop?connect_timeout=10", null, 10, null)]
    [InlineData("postgres://db/shop?connect_timeout=0", null, null, null)]
    [InlineData("postgres://db/shop?application_name=my%20app", null, null, "my app")]
    [InlineData("postgres://db/shop?sslmode=disable&connect_timeout=3&application_name=x", "disable", 3, "x")]
    [InlineData("postgres://db/shop?&sslmode=prefer&&", "prefer", null, null)]
    public void Parse_QueryParameters_SetOptions(string url, string? sslMode, int? timeoutSeconds, string? applicationName)
    {
        var target = Target(url);

        Assert.Equal(sslMode, target.SslMode);
        Assert.Equal(timeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : null, target.ConnectTimeout);
        Assert.Equal(applicationName, target.ApplicationName);
    }

    [Fact]
    public void Parse_QueryParametersForLoginParts_OverrideTheUrlParts()
    {
        var target = Target("postgres://app:pw@db:5432/shop?user=bob&password=p%26w&port=6543&dbname=other&host=db2");

        Assert.Equal("bob", target.User);
        Assert.Equal("p&w", target.Password);
        Assert.Equal(6543, target.Port);
        Assert.Equal("other", target.Database);
        Assert.Equal("db2", target.Host);
    }

    [Fact]
    public void Parse_HostaddrParameter_IsWhereWeConnect()
    {
        var target = Target("postgres://db.example.com/shop?hostaddr=10.0.0.5");

        Assert.Equal("10.0.0.5", target.Host);
    }
}
