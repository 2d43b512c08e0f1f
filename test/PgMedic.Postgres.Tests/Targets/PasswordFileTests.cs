using PgMedic.Postgres.Targets;
using static PgMedic.Postgres.Tests.Targets.TargetTestKit;

namespace PgMedic.Postgres.Tests.Targets;

public sealed class PasswordFileTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    private static readonly PasswordFileKey Key = new("db", 5432, "shop", "app");

    /// <param name="lines">The file, with '|' between lines.</param>
    [Theory]
    [InlineData("db:5432:shop:app:pw", "pw")]
    [InlineData("*:5432:shop:app:pw", "pw")]
    [InlineData("db:*:shop:app:pw", "pw")]
    [InlineData("db:5432:*:app:pw", "pw")]
    [InlineData("db:5432:shop:*:pw", "pw")]
    [InlineData("*:*:*:*:pw", "pw")]
    [InlineData("other:5432:shop:app:no|db:5432:shop:app:pw", "pw")]
    [InlineData("db:5432:shop:app:first|db:5432:shop:app:second", "first")]
    [InlineData("*:*:*:*:general|db:5432:shop:app:specific", "general")]
    [InlineData("db:5433:shop:app:no|db:5432:other:app:no|db:5432:shop:bob:no|db:5432:shop:app:pw", "pw")]
    [InlineData("# db:5432:shop:app:commented|db:5432:shop:app:pw", "pw")]
    [InlineData("|db:5432:shop:app:pw", "pw")]
    [InlineData("db:5432:shop:app|db:5432:shop:app:pw", "pw")]
    [InlineData("db:5432:shop:app:a:b:c", "a:b:c")]
    [InlineData(@"db:5432:shop:app:a\:b\\c", @"a:b\c")]
    [InlineData("db:5432:shop:app:", "")]
    [InlineData("DB:5432:shop:app:no", null)]
    [InlineData("db*:5432:shop:app:no", null)]
    [InlineData(@"\*:5432:shop:app:no", null)]
    [InlineData("db:05432:shop:app:no", null)]
    [InlineData("", null)]
    [InlineData("not a pgpass line", null)]
    public void Find_Lines_FirstMatchWins(string lines, string? expected)
    {
        Assert.Equal(expected, PasswordFile.Find(lines.Split('|'), Key));
    }

    [Theory]
    [InlineData(@"db\:1:5432:shop:app:pw", "db:1", "pw")]
    [InlineData(@"d\b:5432:shop:app:pw", "db", "pw")]
    [InlineData(@"a\\b:5432:shop:app:pw", @"a\b", "pw")]
    [InlineData(@"\*:5432:shop:app:pw", "*", "pw")]
    [InlineData(@"#db:5432:shop:app:no|\#db:5432:shop:app:pw", "#db", "pw")]
    [InlineData("localhost:5432:shop:app:pw", "/var/run/postgresql", "pw")]
    [InlineData("localhost:5432:shop:app:pw", "", "pw")]
    [InlineData("/var/run/postgresql:5432:shop:app:no", "/var/run/postgresql", null)]
    [InlineData("fe80\\:\\:1:5432:shop:app:pw", "fe80::1", "pw")]
    public void Find_EscapedAndSocketHosts_MatchAsLibpqDoes(string lines, string host, string? expected)
    {
        Assert.Equal(expected, PasswordFile.Find(lines.Split('|'), Key with { Host = host }));
    }

    [Fact]
    public void Resolve_PrivatePasswordFileInHome_SuppliesThePassword()
    {
        using var home = new TempDirectory();
        home.WriteFile(".pgpass", "# comment\ndb:5432:shop:app:from-file\n", OwnerOnly);

        var result = Resolve("postgres://app@db/shop", home: home.Path);

        Assert.Equal("from-file", result.Target.Password);
        Assert.True(result.Target.PasswordFromFile);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Resolve_WindowsLineEndings_AreHandled()
    {
        using var home = new TempDirectory();
        home.WriteFile(".pgpass", "other:*:*:*:no\r\ndb:5432:shop:app:from-file\r\n", OwnerOnly);

        Assert.Equal("from-file", Target("postgres://app@db/shop", home: home.Path).Password);
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.OtherRead)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupWrite)]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.OtherExecute)]
    public void Resolve_PasswordFileOthersCanAccess_IsIgnoredWithAWarning(UnixFileMode mode)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var home = new TempDirectory();
        var path = home.WriteFile(".pgpass", "*:*:*:*:from-file\n", mode);

        var result = Resolve("postgres://app@db/shop", home: home.Path);

        Assert.Null(result.Target.Password);
        Assert.False(result.Target.PasswordFromFile);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains(path, warning, StringComparison.Ordinal);
        Assert.Contains("group or world access", warning, StringComparison.Ordinal);
        Assert.Contains("chmod 0600", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("from-file", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(UnixFileMode.UserRead | UnixFileMode.UserWrite)]
    [InlineData(UnixFileMode.UserRead)]
    public void Resolve_PasswordFileOnlyOwnerCanAccess_IsUsed(UnixFileMode mode)
    {
        using var home = new TempDirectory();
        home.WriteFile(".pgpass", "*:*:*:*:from-file\n", mode);

        var result = Resolve("postgres://app@db/shop", home: home.Path);

        Assert.Equal("from-file", result.Target.Password);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Resolve_PgPassFile_OverridesTheOneInHome()
    {
        using var home = new TempDirectory();
        home.WriteFile(".pgpass", "*:*:*:*:from-home\n", OwnerOnly);
        var elsewhere = home.WriteFile("elsewhere.conf", "*:*:*:*:from-pgpassfile\n", OwnerOnly);

        var target = Target("postgres://app@db/shop", "PGPASSFILE=" + elsewhere, home.Path);

        Assert.Equal("from-pgpassfile", target.Password);
        Assert.True(target.PasswordFromFile);
    }

    [Fact]
    public void Resolve_PassfileInTheTarget_OverridesPgPassFile()
    {
        using var home = new TempDirectory();
        var fromEnvironment = home.WriteFile("env.conf", "*:*:*:*:from-pgpassfile\n", OwnerOnly);
        var fromTarget = home.WriteFile("target.conf", "*:*:*:*:from-target\n", OwnerOnly);

        Assert.Equal("from-target", Target($"host=db passfile={fromTarget}", "PGPASSFILE=" + fromEnvironment).Password);
        Assert.Equal("from-target", Target($"Host=db;Passfile={fromTarget}", "PGPASSFILE=" + fromEnvironment).Password);
    }

    [Theory]
    [InlineData("postgres://app:given@db/shop", "", "given")]
    [InlineData("host=db user=app dbname=shop password=given", "", "given")]
    [InlineData("Host=db;Username=app;Database=shop;Password=given", "", "given")]
    [InlineData("postgres://app@db/shop", "PGPASSWORD=from-env", "from-env")]
    [InlineData("postgres://app:@db/shop", "", "from-file")]
    [InlineData("host=db user=app dbname=shop password=''", "", "from-file")]
    public void Resolve_PasswordGiven_FileIsOnlyTheLastResort(string argument, string environment, string expected)
    {
        using var home = new TempDirectory();
        home.WriteFile(".pgpass", "*:*:*:*:from-file\n", OwnerOnly);

        var target = Target(argument, environment, home.Path);

        Assert.Equal(expected, target.Password);
        Assert.Equal(expected == "from-file", target.PasswordFromFile);
    }

    [Fact]
    public void Resolve_MissingPasswordFile_IsSilentlyFine()
    {
        using var home = new TempDirectory();

        var result = Resolve("postgres://app@db/shop", "PGPASSFILE=" + Path.Combine(home.Path, "absent"), home.Path);

        Assert.Null(result.Target.Password);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Resolve_NoHomeDirectory_SkipsThePasswordFile()
    {
        var result = Resolve("postgres://app@db/shop", home: null);

        Assert.Null(result.Target.Password);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void Resolve_PasswordFileIsADirectory_IsIgnoredWithAWarning()
    {
        using var home = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(home.Path, ".pgpass"));

        var result = Resolve("postgres://app@db/shop", home: home.Path);

        Assert.Null(result.Target.Password);
        Assert.Contains("not a plain file", Assert.Single(result.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_DefaultsAreUsedForMatching()
    {
        using var home = new TempDirectory();
        home.WriteFile(".pgpass", $"localhost:5432:{OsUser}:{OsUser}:defaults\n", OwnerOnly);

        var target = Target(null, home: home.Path);

        Assert.Equal("defaults", target.Password);
        Assert.Equal(TargetSource.LibpqEnvironment, target.Source);
    }

    [Fact]
    public void Resolve_SocketHost_MatchesLocalhostLine()
    {
        using var home = new TempDirectory();
        home.WriteFile(".pgpass", "localhost:5432:shop:app:socket\n", OwnerOnly);

        Assert.Equal("socket", Target("postgresql:///shop?host=/var/run/postgresql&user=app", home: home.Path).Password);
    }

    [Fact]
    public void Resolve_HostaddrWithHost_MatchesOnTheHostName()
    {
        using var home = new TempDirectory();
        home.WriteFile(".pgpass", "10.0.0.5:5432:shop:app:by-address\ndb.example.com:5432:shop:app:by-name\n", OwnerOnly);

        var target = Target("host=db.example.com hostaddr=10.0.0.5 dbname=shop user=app", home: home.Path);

        Assert.Equal("10.0.0.5", target.Host);
        Assert.Equal("by-name", target.Password);
    }

    [Fact]
    public void Resolve_PortFromEnvironment_IsUsedForMatching()
    {
        using var home = new TempDirectory();
        home.WriteFile(".pgpass", "db:5432:shop:app:wrong-port\ndb:6000:shop:app:right-port\n", OwnerOnly);

        Assert.Equal("right-port", Target("host=db dbname=shop user=app", "PGPORT=6000", home.Path).Password);
    }
}
