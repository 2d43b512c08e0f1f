using PgMedic.Postgres.Targets;
using static PgMedic.Postgres.Tests.Targets.TargetTestKit;

namespace PgMedic.Postgres.Tests.Targets;

/// <summary>psql's -h -p -U -d against TARGET, the PG* variables and DATABASE_URL; a password stays with the host and user it was given for.</summary>
public sealed class OverrideResolutionTests
{
    private const string Variables = "PGHOST=envhost|PGPORT=6000|PGUSER=envuser|PGDATABASE=envdb|DATABASE_URL=postgres://urluser:urlpw@urlhost:7000/urldb";

    private static readonly TargetOverrides All = new() { Host = "opthost", Port = "6432", User = "optuser", Database = "optdb" };

    [Theory]
    [InlineData("postgres://app:" + Secret + "@db:5433/shop")]
    [InlineData("host=db port=5433 user=app password=" + Secret + " dbname=shop")]
    [InlineData("Host=db;Port=5433;Username=app;Password=" + Secret + ";Database=shop")]
    public void Options_BeatEveryPartOfTarget(string argument)
    {
        var target = Resolve(argument, Variables, overrides: All).Target;

        Assert.Equal(("opthost", 6432, "optuser", "optdb"), (target.Host, target.Port, target.User, target.Database));
        Assert.Equal(TargetSource.Argument, target.Source);
    }

    [Fact]
    public void Options_OnlyTheGivenParts_TargetKeepsTheRest()
    {
        var target = Resolve("postgres://app:" + Secret + "@db:5433/shop?sslmode=require", overrides: new() { Port = "6432", Database = "optdb" }).Target;

        Assert.Equal(("db", 6432, "app", "optdb", Secret, "require"), (target.Host, target.Port, target.User, target.Database, target.Password, target.SslMode));
    }

    [Fact]
    public void NoTarget_OptionsCombineWithPgVariables_DatabaseUrlNotRead()
    {
        var target = Resolve(null, Variables + "|PGPASSWORD=envpw", overrides: new() { Port = "6432" }).Target;

        Assert.Equal(("envhost", 6432, "envuser", "envdb", "envpw"), (target.Host, target.Port, target.User, target.Database, target.Password));
        Assert.Equal(TargetSource.LibpqEnvironment, target.Source);
    }

    [Fact]
    public void NoTargetNoOptions_DatabaseUrlStillFirst()
    {
        var target = Resolve(null, Variables).Target;

        Assert.Equal(("urlhost", 7000, "urluser"), (target.Host, target.Port, target.User));
    }

    [Theory]
    [InlineData("postgres://app:" + Secret + "@db/shop", "other")]
    [InlineData("host=db user=app password=" + Secret, "other")]
    [InlineData("user=app password=" + Secret, "db")]
    public void TargetPassword_HostOptionNamesAnotherHost_PasswordDroppedWithAWarning(string argument, string host)
    {
        var result = Resolve(argument, overrides: new() { Host = host });

        Assert.Null(result.Target.Password);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains($"not '{host}' (-h), so it is not sent", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("db")]
    [InlineData("DB")]
    public void TargetPassword_HostOptionNamesTheSameHost_PasswordKept(string host)
    {
        var result = Resolve("postgres://app:" + Secret + "@db/shop", overrides: new() { Host = host, Port = "6432" });

        Assert.Equal(Secret, result.Target.Password);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void TargetPassword_UsernameOptionNamesAnotherUser_PasswordDropped()
    {
        var result = Resolve("postgres://app:" + Secret + "@db/shop", overrides: new() { User = "admin" });

        Assert.Null(result.Target.Password);
        Assert.Contains("given for user 'app', not 'admin' (-U)", Assert.Single(result.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void TargetPasswordDropped_NewHostsPasswordFromPgpassword()
    {
        var target = Resolve("postgres://app:" + Secret + "@db/shop", "PGPASSWORD=envpw", overrides: new() { Host = "other" }).Target;

        Assert.Equal("envpw", target.Password);
    }

    [Fact]
    public void TargetPasswordDropped_NewHostsPasswordFromPgpass()
    {
        using var home = new TempDirectory();
        home.WriteFile(".pgpass", "db:5432:shop:app:for-db\nother:5432:shop:app:for-other\n");

        var target = Resolve("postgres://app:" + Secret + "@db/shop", home: home.Path, overrides: new() { Host = "other" }).Target;

        Assert.Equal("for-other", target.Password);
        Assert.True(target.PasswordFromFile);
    }

    [Fact]
    public void HostOption_ClearsTargetsHostaddr()
    {
        var target = Resolve("host=db hostaddr=10.0.0.5", overrides: new() { Host = "other" }).Target;

        Assert.Equal("other", target.Host);
    }

    [Theory]
    [InlineData("abc", "-p/--port 'abc' is not a number")]
    [InlineData("70000", "-p/--port '70000' is out of range")]
    public void PortOption_NotAPort_FailsNamingTheOption(string port, string expected)
    {
        var failure = Assert.Throws<TargetException>(() => Resolve(null, overrides: new() { Port = port }));

        Assert.StartsWith(expected, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void HostOption_SeveralHosts_FailsNamingTheOption()
    {
        var failure = Assert.Throws<TargetException>(() => Resolve(null, overrides: new() { Host = "a,b" }));

        Assert.StartsWith("-h/--host 'a,b' lists several hosts", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoHostAnywhere_SocketDirectoryWithTheServersSocket_IsTheHost()
    {
        using var withSocket = new TempDirectory();
        using var without = new TempDirectory();
        withSocket.WriteFile(".s.PGSQL.6432", string.Empty);

        var found = TargetResolver.ResolveWithWarnings(null, _ => null, null, OsUser, new() { Port = "6432" }, [without.Path, withSocket.Path]).Target;
        var otherPort = TargetResolver.ResolveWithWarnings(null, _ => null, null, OsUser, new() { Port = "5432" }, [without.Path, withSocket.Path]).Target;

        Assert.Equal(withSocket.Path, found.Host);
        Assert.Equal("localhost", otherPort.Host);
    }
}
