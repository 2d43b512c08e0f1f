using PgMedic.Postgres.Targets;
using static PgMedic.Postgres.Tests.Targets.TargetTestKit;

namespace PgMedic.Postgres.Tests.Targets;

public sealed class EnvironmentResolutionTests
{
    private const string AllLibpqVariables =
        "PGHOST=envhost|PGPORT=6000|PGUSER=envuser|PGPASSWORD=envpw|PGDATABASE=envdb|PGSSLMODE=require|PGCONNECT_TIMEOUT=4|PGAPPNAME=envapp";

    [Fact]
    public void Resolve_NothingAtAll_UsesLibpqDefaults()
    {
        var target = Target(null);

        Assert.Equal("localhost", target.Host);
        Assert.Equal(5432, target.Port);
        Assert.Equal(OsUser, target.User);
        Assert.Equal(OsUser, target.Database);
        Assert.Null(target.Password);
        Assert.Null(target.SslMode);
        Assert.Null(target.ConnectTimeout);
        Assert.Null(target.ApplicationName);
        Assert.Equal(TargetSource.LibpqEnvironment, target.Source);
        Assert.False(target.PasswordFromFile);
    }

    [Fact]
    public void Resolve_NoUserNameGiven_FallsBackToTheProcessUser()
    {
        var target = TargetResolver.ResolveWithWarnings(null, _ => null, null).Target;

        Assert.Equal(Environment.UserName, target.User);
        Assert.Equal(Environment.UserName, target.Database);
    }

    [Fact]
    public void Resolve_NoArgument_UsesDatabaseUrl()
    {
        var target = Target(null, "DATABASE_URL=postgres://app:pw@urlhost:5433/shop?sslmode=require");

        Assert.Equal(TargetSource.DatabaseUrl, target.Source);
        Assert.Equal("urlhost", target.Host);
        Assert.Equal(5433, target.Port);
        Assert.Equal("app", target.User);
        Assert.Equal("pw", target.Password);
        Assert.Equal("shop", target.Database);
        Assert.Equal("require", target.SslMode);
    }

    [Fact]
    public void Resolve_DatabaseUrlInConninfoForm_IsAcceptedToo()
    {
        var target = Target(null, "DATABASE_URL=host=urlhost dbname=shop");

        Assert.Equal(TargetSource.DatabaseUrl, target.Source);
        Assert.Equal("urlhost", target.Host);
        Assert.Equal("shop", target.Database);
    }

    [Fact]
    public void Resolve_NoArgumentNoDatabaseUrl_UsesEveryLibpqVariable()
    {
        var target = Target(null, AllLibpqVariables);

        Assert.Equal(TargetSource.LibpqEnvironment, target.Source);
        Assert.Equal("envhost", target.Host);
        Assert.Equal(6000, target.Port);
        Assert.Equal("envuser", target.User);
        Assert.Equal("envpw", target.Password);
        Assert.Equal("envdb", target.Database);
        Assert.Equal("require", target.SslMode);
        Assert.Equal(TimeSpan.FromSeconds(4), target.ConnectTimeout);
        Assert.Equal("envapp", target.ApplicationName);
    }

    [Fact]
    public void Resolve_EmptyDatabaseUrl_CountsAsUnset()
    {
        var target = Target(null, "DATABASE_URL=|PGHOST=envhost");

        Assert.Equal(TargetSource.LibpqEnvironment, target.Source);
        Assert.Equal("envhost", target.Host);
    }

    [Theory]
    [InlineData("postgres://arghost/argdb")]
    [InlineData("host=arghost dbname=argdb")]
    [InlineData("Host=arghost;Database=argdb")]
    public void Resolve_ArgumentGiven_BeatsDatabaseUrlAndLibpqVariables(string argument)
    {
        var target = Target(argument, "DATABASE_URL=postgres://urluser@urlhost/urldb|" + AllLibpqVariables);

        Assert.Equal(TargetSource.Argument, target.Source);
        Assert.Equal("arghost", target.Host);
        Assert.Equal("argdb", target.Database);

        // DATABASE_URL is not consulted at all once TARGET is given; the libpq variables fill gaps.
        Assert.Equal("envuser", target.User);
        Assert.Equal(6000, target.Port);
    }

    [Fact]
    public void Resolve_DatabaseUrl_BeatsLibpqVariablesWhichFillItsGaps()
    {
        var target = Target(null, "DATABASE_URL=postgres://urlhost/urldb|" + AllLibpqVariables);

        Assert.Equal("urlhost", target.Host);
        Assert.Equal("urldb", target.Database);
        Assert.Equal("envuser", target.User);
        Assert.Equal("envpw", target.Password);
        Assert.Equal(6000, target.Port);
        Assert.Equal("require", target.SslMode);
    }

    [Theory]
    [InlineData("host=db", "db", 6000, "envuser", "envpw", "envdb")]
    [InlineData("host=db port=5433", "db", 5433, "envuser", "envpw", "envdb")]
    [InlineData("host=db user=app password=pw dbname=shop", "db", 6000, "app", "pw", "shop")]
    [InlineData("postgres:///shop", "envhost", 6000, "envuser", "envpw", "shop")]
    [InlineData("postgres://app@db", "db", 6000, "app", "envpw", "envdb")]
    [InlineData("Host=db", "db", 6000, "envuser", "envpw", "envdb")]
    [InlineData("Host=db;Port=5432", "db", 5432, "envuser", "envpw", "envdb")]
    [InlineData("dbname=shop", "envhost", 6000, "envuser", "envpw", "shop")]
    public void Resolve_ArgumentLackingFields_LibpqVariablesFillThem(string argument, string host, int port, string user, string password, string database)
    {
        var target = Target(argument, AllLibpqVariables);

        Assert.Equal(host, target.Host);
        Assert.Equal(port, target.Port);
        Assert.Equal(user, target.User);
        Assert.Equal(password, target.Password);
        Assert.Equal(database, target.Database);
    }

    [Fact]
    public void Resolve_ConninfoWithOnlyHost_TakesUserFromPgUser()
    {
        var target = Target("host=db", "PGUSER=app");

        Assert.Equal("app", target.User);
        Assert.Equal("app", target.Database);
    }

    [Fact]
    public void Resolve_OptionsInArgument_BeatLibpqVariables()
    {
        var target = Target("host=db sslmode=disable connect_timeout=9 application_name=arg", AllLibpqVariables);

        Assert.Equal("disable", target.SslMode);
        Assert.Equal(TimeSpan.FromSeconds(9), target.ConnectTimeout);
        Assert.Equal("arg", target.ApplicationName);
    }

    [Fact]
    public void Resolve_ExplicitEmptyConninfoValue_IsNotFilledFromTheEnvironment()
    {
        // libpq keeps host='' as given (and then uses the default) rather than taking PGHOST.
        var target = Target("host='' dbname=shop", "PGHOST=envhost");

        Assert.Equal("localhost", target.Host);
    }

    [Theory]
    [InlineData("PGHOST=")]
    [InlineData("PGHOST=|PGPORT=|PGUSER=|PGDATABASE=|PGSSLMODE=|PGCONNECT_TIMEOUT=")]
    public void Resolve_EmptyLibpqVariables_CountAsUnset(string environment)
    {
        var target = Target(null, environment);

        Assert.Equal("localhost", target.Host);
        Assert.Equal(5432, target.Port);
        Assert.Equal(OsUser, target.User);
    }

    [Fact]
    public void Resolve_BadVariableThatIsNotNeeded_IsNotAnError()
    {
        var target = Target("host=db port=5433 sslmode=require connect_timeout=5", "PGPORT=abc|PGSSLMODE=nope|PGCONNECT_TIMEOUT=never|PGHOST=a,b");

        Assert.Equal(5433, target.Port);
        Assert.Equal("require", target.SslMode);
    }

    [Fact]
    public void Resolve_PgUserWithoutDatabase_UsesUserAsDatabase()
    {
        var target = Target(null, "PGUSER=app");

        Assert.Equal("app", target.User);
        Assert.Equal("app", target.Database);
    }

    [Fact]
    public void Resolve_PgHostSocketDirectory_IsKept()
    {
        Assert.Equal("/tmp", Target(null, "PGHOST=/tmp").Host);
    }

    [Fact]
    public void Resolve_NullEnvironment_IsRejected()
    {
        Assert.Throws<ArgumentNullException>(() => TargetResolver.Resolve(null, null!, null));
    }

    [Fact]
    public void Resolve_PublicOverload_MatchesTheDetailedOne()
    {
        var environment = ParseEnvironment(AllLibpqVariables);

        var target = TargetResolver.Resolve("host=db", name => environment.GetValueOrDefault(name), null);

        Assert.Equal("db", target.Host);
        Assert.Equal("envuser", target.User);
    }
}
