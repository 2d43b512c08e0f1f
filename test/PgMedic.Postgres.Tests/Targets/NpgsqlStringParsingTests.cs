using PgMedic.Postgres.Targets;
using static PgMedic.Postgres.Tests.Targets.TargetTestKit;

namespace PgMedic.Postgres.Tests.Targets;

public sealed class NpgsqlStringParsingTests
{
    [Theory]
    [InlineData("Host=db;Port=5433;Database=shop;Username=app;Password=pw", "db", 5433, "shop", "app", "pw")]
    [InlineData("Server=db;User Id=app;PWD=pw;DB=shop", "db", 5432, "shop", "app", "pw")]
    [InlineData("host=db;port=5433;database=shop;user name=app;psw=pw", "db", 5433, "shop", "app", "pw")]
    [InlineData("HOST=db;UID=app;", "db", 5432, "app", "app", null)]
    [InlineData("Host=db;Password=\"a;b\"", "db", 5432, OsUser, OsUser, "a;b")]
    [InlineData("Host=db;Password='a;b'", "db", 5432, OsUser, OsUser, "a;b")]
    [InlineData("Host=db;Password=\"say \"\"hi\"\"\"", "db", 5432, OsUser, OsUser, "say \"hi\"")]
    [InlineData("Host=db;Password=a=b", "db", 5432, OsUser, OsUser, "a=b")]
    [InlineData("Password='a;b'", "localhost", 5432, OsUser, OsUser, "a;b")]
    [InlineData("User Id=app", "localhost", 5432, "app", "app", null)]
    [InlineData("Host=db", "db", 5432, OsUser, OsUser, null)]
    [InlineData("Host=db:5433;Database=shop", "db", 5433, "shop", OsUser, null)]
    [InlineData("Host=db:5433;Port=6000", "db", 5433, OsUser, OsUser, null)]
    [InlineData("Host=[::1]:5433", "::1", 5433, OsUser, OsUser, null)]
    [InlineData("Host=[::1]", "::1", 5432, OsUser, OsUser, null)]
    [InlineData("Host=::1;Port=5434", "::1", 5434, OsUser, OsUser, null)]
    [InlineData("Host=/var/run/postgresql;Database=shop", "/var/run/postgresql", 5432, "shop", OsUser, null)]
    [InlineData("Host=db;Password=", "db", 5432, OsUser, OsUser, null)]
    public void Parse_ValidConnectionString_ReadsEveryPart(string connectionString, string host, int port, string database, string user, string? password)
    {
        var target = Target(connectionString);

        Assert.Equal(host, target.Host);
        Assert.Equal(port, target.Port);
        Assert.Equal(database, target.Database);
        Assert.Equal(user, target.User);
        Assert.Equal(password, target.Password);
        Assert.Equal(TargetSource.Argument, target.Source);
    }

    [Theory]
    [InlineData("Host=db;SSL Mode=VerifyFull;Timeout=7;Application Name=x", "verify-full", 7, "x")]
    [InlineData("Host=db;sslmode=require", "require", null, null)]
    [InlineData("Host=db;SslMode=VerifyCA", "verify-ca", null, null)]
    [InlineData("Host=db;SSL Mode=Disable;Timeout=0", "disable", null, null)]
    [InlineData("Host=db;ApplicationName=job", null, null, "job")]
    public void Parse_Options_AreMappedToLibpqNames(string connectionString, string? sslMode, int? timeoutSeconds, string? applicationName)
    {
        var target = Target(connectionString);

        Assert.Equal(sslMode, target.SslMode);
        Assert.Equal(timeoutSeconds is { } s ? TimeSpan.FromSeconds(s) : null, target.ConnectTimeout);
        Assert.Equal(applicationName, target.ApplicationName);
    }

    [Fact]
    public void Parse_SettingsPgMedicDoesNotUse_AreReportedAsOneWarning()
    {
        var result = Resolve("Host=db;Pooling=false;Maximum Pool Size=5;Password=pw");

        var warning = Assert.Single(result.Warnings);
        Assert.Contains("pooling", warning, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("maximum pool size", warning, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("pw", warning, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_OnlySettingsPgMedicUses_GivesNoWarning()
    {
        Assert.Empty(Resolve("Host=db;Port=5433;Database=shop;Username=app;Password=pw;SSL Mode=Require;Timeout=5;Application Name=a").Warnings);
    }
}
