using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PgMedic.Guard.Configuration;

namespace PgMedic.Guard.Tests.Configuration;

public sealed class GuardOptionsReaderTests
{
    private const string Url = "postgres://app:s3cret-pw@db.internal:6432/shop";

    [Fact]
    public void Read_OnlyDatabaseUrl_RunbookOptimalSettings()
    {
        var options = GuardOptionsReader.Read(Lookup(("DATABASE_URL", Url)));

        Assert.Equal(20, options.PoolSize);
        Assert.Equal(10, options.MaxOverflow);
        Assert.Equal(TimeSpan.FromSeconds(30), options.PoolTimeout);
        Assert.Equal(TimeSpan.FromSeconds(300), options.PoolRecycle);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.CommandTimeout);
        Assert.False(options.PrePing);
        Assert.False(options.EchoPool);
        Assert.False(options.MaintenanceMode);
        Assert.Equal(StackTraceMode.Off, options.StackTraces);
    }

    [Fact]
    public void Read_RunbookVariables_EveryOneApplied()
    {
        var options = GuardOptionsReader.Read(Lookup(
            ("DATABASE_URL", Url),
            ("DATABASE_POOL_SIZE", "100"),
            ("DATABASE_MAX_OVERFLOW", "20"),
            ("DATABASE_POOL_TIMEOUT", "45"),
            ("DATABASE_POOL_RECYCLE", "-1"),
            ("DATABASE_CONNECT_TIMEOUT", "10s"),
            ("DATABASE_COMMAND_TIMEOUT", "1h30m"),
            ("DATABASE_POOL_PRE_PING", "true"),
            ("DATABASE_ECHO_POOL", "yes"),
            ("MAINTENANCE_MODE", "1"),
            ("DATABASE_LEAK_THRESHOLD", "500ms"),
            ("DATABASE_LEAK_STACK_TRACES", "50")));

        Assert.Equal(100, options.PoolSize);
        Assert.Equal(20, options.MaxOverflow);
        Assert.Equal(TimeSpan.FromSeconds(45), options.PoolTimeout);
        Assert.Equal(TimeSpan.Zero, options.PoolRecycle);
        Assert.Equal(TimeSpan.FromSeconds(10), options.ConnectTimeout);
        Assert.Equal(TimeSpan.FromMinutes(90), options.CommandTimeout);
        Assert.True(options.PrePing);
        Assert.True(options.EchoPool);
        Assert.True(options.MaintenanceMode);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.LeakThreshold);
        Assert.Equal(StackTraceMode.Sampled, options.StackTraces);
        Assert.Equal(50, options.StackTraceSampleRate);
    }

    [Fact]
    public void Read_SeveralInvalidValues_EveryOneNamedWithValueAndWhatIsAllowed()
    {
        var error = Assert.Throws<GuardConfigurationException>(() => GuardOptionsReader.Read(Lookup(
            ("DATABASE_URL", Url),
            ("DATABASE_POOL_SIZE", "lots"),
            ("DATABASE_POOL_TIMEOUT", "soon"),
            ("DATABASE_POOL_PRE_PING", "maybe"),
            ("DATABASE_MAX_OVERFLOW", "-3"))));

        Assert.Equal(4, error.Errors.Count);
        Assert.Contains(error.Errors, e => e.Contains("DATABASE_POOL_SIZE='lots'", StringComparison.Ordinal) && e.Contains("whole number from 1 to 10000", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("DATABASE_POOL_TIMEOUT='soon'", StringComparison.Ordinal) && e.Contains("seconds", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("DATABASE_POOL_PRE_PING='maybe'", StringComparison.Ordinal) && e.Contains("true or false", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("DATABASE_MAX_OVERFLOW='-3'", StringComparison.Ordinal) && e.Contains("from 0", StringComparison.Ordinal));
    }

    [Fact]
    public void Read_BadUrlWithPassword_ErrorShowsUrlMaskedNeverThePassword()
    {
        var error = Assert.Throws<GuardConfigurationException>(() => GuardOptionsReader.Read(Lookup(("DATABASE_URL", Url + "?pool=5"))));

        Assert.Contains("DATABASE_URL='postgres://app:***@db.internal:6432/shop?…'", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cret-pw", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UrlWithPasswordInQuery_ErrorNeverShowsIt()
    {
        var error = Assert.Throws<GuardConfigurationException>(() => GuardOptionsReader.Read(Lookup(("DATABASE_URL", "postgres://db:5432/shop?user=app&password=Query-Secret-9"))));

        Assert.DoesNotContain("Query-Secret-9", error.Message, StringComparison.Ordinal);
        Assert.Contains("DATABASE_URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NoDatabaseUrl_SaysWhatToSet()
    {
        var error = Assert.Throws<GuardConfigurationException>(() => GuardOptionsReader.Read(Lookup(("DATABASE_POOL_SIZE", "5"))));

        Assert.Contains("DATABASE_URL is not set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromConfiguration_SectionAndVariables_VariablesWinAndCodeWinsLast()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["PgMedic:Guard:ConnectionString"] = Url,
            ["PgMedic:Guard:PoolSize"] = "7",
            ["PgMedic:Guard:PoolTimeout"] = "00:00:12",
            ["DATABASE_POOL_SIZE"] = "9",
        }).Build();

        var options = GuardOptionsReader.FromConfiguration(configuration, o => o.MaxOverflow = 1);

        Assert.Equal(9, options.PoolSize);
        Assert.Equal(TimeSpan.FromSeconds(12), options.PoolTimeout);
        Assert.Equal(1, options.MaxOverflow);
    }

    [Fact]
    public void AddPgMedicGuard_InvalidSection_FailsAtRegistrationNamingTheKey()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DATABASE_URL"] = Url,
            ["PgMedic:Guard:PoolSize"] = "0",
        }).Build();

        var error = Assert.Throws<GuardConfigurationException>(() => new ServiceCollection().AddPgMedicGuard(configuration));

        Assert.Contains("PgMedic:Guard:PoolSize='0'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NpgsqlMapping_RunbookDefaults_PoolOfSizePlusOverflowWithRecycleAsLifetime()
    {
        var builder = NpgsqlMapping.Build(GuardOptionsReader.Read(Lookup(("DATABASE_URL", Url))), maxPoolSize: 30);

        Assert.Equal("db.internal", builder.Host);
        Assert.Equal(6432, builder.Port);
        Assert.Equal("shop", builder.Database);
        Assert.Equal("app", builder.Username);
        Assert.Equal(30, builder.MaxPoolSize);
        Assert.Equal(0, builder.MinPoolSize);
        Assert.Equal(30, builder.Timeout);
        Assert.Equal(30, builder.CommandTimeout);
        Assert.Equal(300, builder.ConnectionLifetime);
        Assert.Equal(300, builder.ConnectionIdleLifetime);
    }

    private static Func<string, string?> Lookup(params (string Name, string Value)[] values) =>
        name => values.FirstOrDefault(v => v.Name == name).Value;
}
