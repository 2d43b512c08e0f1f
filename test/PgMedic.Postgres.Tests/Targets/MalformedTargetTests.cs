using PgMedic.Postgres.Targets;
using static PgMedic.Postgres.Tests.Targets.TargetTestKit;

namespace PgMedic.Postgres.Tests.Targets;

public sealed class MalformedTargetTests
{
    public static TheoryData<string, string> MalformedArguments => new()
    {
        // Not a target at all.
        { "", "TARGET: nothing given" },
        { "   ", "TARGET: nothing given" },
        { "mysql://app@db/shop", "the scheme 'mysql://' is not PostgreSQL" },
        { "jdbc:postgresql://db/shop", "is not a URL, conninfo or connection string" },
        { "db.example.com", "'db.example.com' is not a URL, conninfo or connection string" },
        { "app@db/shop", "a URL must start with postgres://" },

        // URLs.
        { "postgres://app@db:abc/shop", "URL port 'abc' is not a number" },
        { "postgres://app@db:0/shop", "URL port '0' is out of range" },
        { "postgres://app@db:65536/shop", "URL port '65536' is out of range" },
        { "postgres://app@db:99999999999/shop", "is out of range" },
        { "postgres://app@db:-1/shop", "URL port '-1' is not a number" },

        // Without an '@', "db:abc" could be "user:password", so the port is not shown.
        { "postgres://db:abc/shop", "the URL port for host 'db' is not a number from 1 to 65535 (not shown" },
        { "postgres://db:0/shop", "the URL port for host 'db' is not a number from 1 to 65535" },
        { "postgres://db/shop?sslmode=sometimes", "sslmode 'sometimes' is not a valid sslmode" },
        { "postgres://db/shop?connect_timeout=soon", "connect_timeout 'soon' is not a whole number of seconds" },
        { "postgres://db/shop?connect_timeout=-5", "connect_timeout '-5' is not a whole number of seconds" },
        { "postgres://db/shop?connect_timeout=5000", "connect_timeout '5000' is too large" },
        { "postgres://db/shop?port=x", "port 'x' is not a number" },
        { "postgres://app%zz@db/shop", "URL user name 'app%zz' has a '%' not followed by two hex digits" },
        { "postgres://db/sh%4", "URL database name 'sh%4' has a '%' not followed by two hex digits" },
        { "postgres://db/shop%", "has a '%' not followed by two hex digits" },
        { "postgres://db/shop%00", "contains %00" },
        { "postgres://db/%C3%28", "does not decode to UTF-8" },
        { "postgres://db%zz/shop", "URL host 'db%zz' has a '%'" },
        { "postgres://db/shop?application_name=%zz", "value of URL parameter 'application_name'" },
        { "postgres://db/shop?fallback=1", "unknown URL parameter 'fallback'" },
        { "postgres://db/shop?SSLMODE=require", "keywords are lower case: write sslmode" },
        { "postgres://db/shop?sslmode", "a URL parameter has no '='" },
        { "postgres://h1,h2/shop", "lists several hosts 'h1,h2'; multi-host targets are not supported" },
        { "postgres://h1:5432,h2:5433/shop", "multi-host targets are not supported" },
        { "postgres://db/shop?host=h1,h2", "host 'h1,h2' lists several hosts" },
        { "postgres://db/shop?port=5432,5433", "lists several ports" },
        { "postgres://[::1/shop", "opens '[' but never closes it" },
        { "postgres://[db.example.com]/shop", "'[db.example.com]' is not an IPv6 address" },
        { "postgres://[::1]x/shop", "has 'x' after ']'" },
        { "postgres://[::1]:abc/shop", "URL port 'abc' is not a number" },
        { "postgres://db]/shop", "has ']' without '['" },
        { "postgres://::1/shop", "looks like an IPv6 address without brackets" },
        { "postgres://db/shop?dbname=a@b", "has an '@' after the host" },

        // Conninfo.
        { "host=db port=abc", "TARGET: port 'abc' is not a number" },
        { "host=db port=70000", "port '70000' is out of range" },
        { "host=db sslmode=on", "sslmode 'on' is not a valid sslmode; use one of disable, allow, prefer, require, verify-ca, verify-full" },
        { "host=db connect_timeout=1.5", "connect_timeout '1.5' is not a whole number" },
        { "host=db dbname='shop", "value of 'dbname' opens a quote (') but never closes it" },
        { @"host=db dbname='shop\'", "never closes it" },
        { "host=db nosuch=1", "unknown conninfo keyword 'nosuch'" },
        { "host=db Port=5432", "unknown conninfo keyword 'Port'; keywords are lower case: write port" },
        { "host=db dbname", "conninfo has 'dbname' without '='" },
        { "=db", "'=' with no keyword before it" },
        { "host=a,b", "host 'a,b' lists several hosts" },
        { "host=db port=5432,5433", "port '5432,5433' lists several ports" },
        { "hostaddr=10.0.0.1,10.0.0.2", "hostaddr '10.0.0.1,10.0.0.2' lists several addresses" },
        { "hostaddr=db.example.com", "hostaddr 'db.example.com' is not a numeric IP address" },
        { "host=db:5432", "host 'db:5432' contains ':' but is not an IPv6 address" },
        { "host=[::1]", "host '[::1]' has brackets" },

        // Npgsql connection strings.
        { "Host=db;Prot=5432", "unknown Npgsql connection string keyword 'prot'" },
        { "Host=db;Port=abc", "Npgsql setting 'port' has an invalid value; give a port from 1 to 65535" },
        { "Host=db;Port=0", "'port' has an invalid value" },
        { "Host=db;Port=70000", "Port '70000' is out of range" },
        { "Host=db;SSL Mode=verify-full", "'ssl mode' has an invalid value; use Disable, Allow, Prefer, Require, VerifyCA or VerifyFull" },
        { "Host=db;Timeout=2000", "'timeout' has an invalid value; give whole seconds from 0 to 1024" },
        { "Host=db;Pooling=maybe", "'pooling' has an invalid value" },
        { "Host=a,b;Database=x", "Host 'a,b' lists several hosts" },
        { "Host=db:abc;", "Host port 'abc' is not a number" },
        { "Host=[::1;", "is not a valid [IPv6 address]" },
        { "Host=db;Database=\"unterminated", "the Npgsql connection string is malformed" },
        { "Host=db;;=x", "the Npgsql connection string is malformed" },
    };

    [Theory]
    [MemberData(nameof(MalformedArguments))]
    public void Resolve_MalformedArgument_ThrowsOneLineMessageNamingTheProblem(string argument, string expected)
    {
        var e = Failure(argument);

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        Assert.StartsWith("TARGET: ", e.Message, StringComparison.Ordinal);
        AssertOneLine(e.Message);
    }

    [Theory]
    [InlineData("PGPORT=abc", "PGPORT 'abc' is not a number")]
    [InlineData("PGPORT=0", "PGPORT '0' is out of range")]
    [InlineData("PGSSLMODE=bogus", "PGSSLMODE 'bogus' is not a valid sslmode")]
    [InlineData("PGCONNECT_TIMEOUT=x", "PGCONNECT_TIMEOUT 'x' is not a whole number")]
    [InlineData("PGHOST=a,b", "PGHOST 'a,b' lists several hosts")]
    [InlineData("PGHOST=db:5432", "PGHOST 'db:5432' contains ':'")]
    [InlineData("DATABASE_URL=mysql://db/x", "DATABASE_URL: the scheme 'mysql://' is not PostgreSQL")]
    [InlineData("DATABASE_URL=postgres://app@db:x/shop", "DATABASE_URL: URL port 'x' is not a number")]
    [InlineData("DATABASE_URL=postgres://db/shop?pool=5", "DATABASE_URL: unknown URL parameter 'pool'")]
    public void Resolve_MalformedEnvironment_NamesTheVariable(string environment, string expected)
    {
        var e = Failure(null, environment);

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
        AssertOneLine(e.Message);
    }

    [Theory]
    [InlineData("host=db\nport=abc\ndbname=x")]
    [InlineData("host=db port='5\n4'")]
    [InlineData("host=db sslmode='re\r\nquire'")]
    [InlineData("postgres://db/shop?sslmode=%0Arequire")]
    [InlineData("postgres://db/shop%0A?fallback%0A=1")]
    [InlineData("host='a\nb,c'")]
    [InlineData("nosuch\u2028=1")]
    public void Resolve_InputWithLineBreaks_MessageStaysOnOneLine(string argument)
    {
        AssertOneLine(Failure(argument).Message);
    }

    [Fact]
    public void Resolve_VeryLongBadValue_IsShortenedInTheMessage()
    {
        var e = Failure("host=db sslmode=" + new string('x', 500));

        Assert.True(e.Message.Length < 250, e.Message);
        Assert.Contains("…", e.Message, StringComparison.Ordinal);
    }

    private static void AssertOneLine(string message)
    {
        Assert.DoesNotContain('\n', message);
        Assert.DoesNotContain('\r', message);
        Assert.DoesNotContain('\u2028', message);
    }
}
