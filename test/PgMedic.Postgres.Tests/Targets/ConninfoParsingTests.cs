using PgMedic.Postgres.Targets;
using static PgMedic.Postgres.Tests.Targets.TargetTestKit;

namespace PgMedic.Postgres.Tests.Targets;

public sealed class ConninfoParsingTests
{
    [Theory]
    [InlineData("host=db port=5433 dbname=shop user=app password=pw", "db", 5433, "shop", "app", "pw")]
    [InlineData("host = db   port= 5433 dbname =shop", "db", 5433, "shop", OsUser, null)]
    [InlineData("host=db\tport=5433\ndbname=shop\r\nuser=app", "db", 5433, "shop", "app", null)]
    [InlineData("host='db' port='5433' dbname='shop'", "db", 5433, "shop", OsUser, null)]
    [InlineData("host='db'port=5433", "db", 5433, OsUser, OsUser, null)]
    [InlineData("host=a host=b", "b", 5432, OsUser, OsUser, null)]
    [InlineData("dbname=shop", "localhost", 5432, "shop", OsUser, null)]
    [InlineData("user=app", "localhost", 5432, "app", "app", null)]
    [InlineData("host=/var/run/postgresql dbname=shop", "/var/run/postgresql", 5432, "shop", OsUser, null)]
    [InlineData("host=::1 port=5433", "::1", 5433, OsUser, OsUser, null)]
    [InlineData("host='' dbname=shop", "localhost", 5432, "shop", OsUser, null)]
    [InlineData("hostaddr=127.0.0.1 host=db.example.com", "127.0.0.1", 5432, OsUser, OsUser, null)]
    [InlineData("hostaddr=::1", "::1", 5432, OsUser, OsUser, null)]
    public void Parse_ValidConninfo_ReadsEveryPart(string conninfo, string host, int port, string database, string user, string? password)
    {
        var target = Target(conninfo);

        Assert.Equal(host, target.Host);
        Assert.Equal(port, target.Port);
        Assert.Equal(database, target.Database);
        Assert.Equal(user, target.User);
        Assert.Equal(password, target.Password);
        Assert.Equal(TargetSource.Argument, target.Source);
    }

    [Theory]
    [InlineData(@"password='it\'s'", "it's")]
    [InlineData("password='it''s'", "it's")]
    [InlineData(@"password='back\\slash'", @"back\slash")]
    [InlineData(@"password='a\b'", "ab")]
    [InlineData("password='with spaces  inside'", "with spaces  inside")]
    [InlineData(@"password=unquoted\ space", "unquoted space")]
    [InlineData(@"password=it\'s", "it's")]
    [InlineData("password=a=b", "a=b")]
    [InlineData("password='a;b'", "a;b")]
    [InlineData("password=\"quoted\"", "\"quoted\"")]
    [InlineData("password=''''", "'")]
    [InlineData("password='' host=db", null)]
    [InlineData("password=", null)]
    [InlineData(@"password='trailing\\' host=db", @"trailing\")]
    public void Parse_QuotedAndEscapedValues_FollowLibpqRules(string conninfo, string? password)
    {
        Assert.Equal(password, Target(conninfo).Password);
    }

    [Theory]
    [InlineData("sslmode=verify-ca connect_timeout=5 application_name='my app'", "verify-ca", 5, "my app")]
    [InlineData("sslmode=Require", "require", null, null)]
    [InlineData("connect_timeout=0", null, null, null)]
    [InlineData("application_name=pgbouncer-check", null, null, "pgbouncer-check")]
    public void Parse_Options_AreRead(string conninfo, string? sslMode, int? timeoutSeconds, string? applicationName)
    {
        var target = Target(conninfo);

        Assert.Equal(sslMode, target.SslMode);
        Assert.Equal(timeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : null, target.ConnectTimeout);
        Assert.Equal(applicationName, target.ApplicationName);
    }

    [Theory]
    [InlineData("host=db port=5", "host|db|port|5")]
    [InlineData("  a = 'x y'  b=\\ z ", "a|x y|b| z")]
    [InlineData("", "")]
    public void Tokenize_Pairs_AreSplitAsLibpqDoes(string conninfo, string expected)
    {
        var pairs = ConninfoParser.Tokenize(conninfo);

        Assert.Equal(expected, string.Join("|", pairs.SelectMany(p => new[] { p.Keyword, p.Value })));
    }
}
