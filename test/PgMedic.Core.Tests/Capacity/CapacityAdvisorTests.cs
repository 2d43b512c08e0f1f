using PgMedic.Core.Capacity;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Tests.Capacity;

/// <summary>Worked examples of runbook step 2, including the runbook's own numbers.</summary>
public sealed class CapacityAdvisorTests
{
    private static readonly SessionTimeouts Off = new(TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero);

    private static ServerObservation Server(int maxConnections, int superuserReserved = 3, int reserved = 0, int peak = 0, int active = 0, double idleRatio = 0, int others = 0, SessionTimeouts? timeouts = null) =>
        new(new ServerInfo("16.4", 160004, maxConnections, superuserReserved, reserved), timeouts ?? Off, peak, active, 0, idleRatio, others, "test");

    [Fact]
    public void Advise_RunbookPool20Overflow10TimesFourWorkersAgainstDefault100_CanExhaustAndCapsEachWorker()
    {
        var advice = CapacityAdvisor.Advise(new DeploymentShape(Workers: 4, PoolSize: 20, MaxOverflow: 10, Cores: 4), Server(100));

        Assert.True(advice.CanExhaust);
        Assert.Equal((97, 10, 87), (advice.Slots.Usable, advice.Slots.AdminHeadroom, advice.Slots.ForDeployment));
        Assert.Equal(120, advice.Demand.MaxConnections);
        Assert.Equal((2, 1), (advice.Pool.PoolSize, advice.Pool.MaxOverflow));
        Assert.True(advice.Pooler.Recommended);
        Assert.Equal(8, advice.Pooler.DefaultPoolSize);
        Assert.Contains(advice.Reasoning, r => r.Contains("120 > 87", StringComparison.Ordinal));
        Assert.Contains(advice.Reasoning, r => r.Contains("cores × 2 = 4 × 2 = 8", StringComparison.Ordinal));
    }

    [Fact]
    public void Advise_RunbookStep2Pool100Overflow20OneWorker_ExceedsServerOnItsOwn()
    {
        var advice = CapacityAdvisor.Advise(new DeploymentShape(1, 100, 20, null), Server(100));

        Assert.True(advice.CanExhaust);
        Assert.Equal(120, advice.Demand.MaxConnections);
        Assert.Equal(87, advice.Pool.MaxPerWorker);
        Assert.True(advice.Pool.PoolSize + advice.Pool.MaxOverflow <= 87);
    }

    [Fact]
    public void Advise_TwoSmallWorkersOnLargeServer_FitsWithoutPooler()
    {
        var advice = CapacityAdvisor.Advise(new DeploymentShape(2, 5, 5, 8), Server(200));

        Assert.False(advice.CanExhaust);
        Assert.False(advice.Pooler.Recommended);
        Assert.Equal(8, advice.Pool.PoolSize);
        Assert.Equal(4, advice.Pool.MaxOverflow);
    }

    [Fact]
    public void Advise_MoreWorkersThanSlots_NotFeasibleWithoutPooler()
    {
        var advice = CapacityAdvisor.Advise(new DeploymentShape(50, 5, 0, 4), Server(20));

        Assert.False(advice.Pool.Feasible);
        Assert.True(advice.Pooler.Recommended);
        Assert.Equal(15, advice.Pooler.MaxDbConnections);
        Assert.Contains(advice.Reasoning, r => r.Contains("cannot give each of 50 workers even one connection", StringComparison.Ordinal));
    }

    [Fact]
    public void Advise_OtherApplicationsAndPostgres16ReservedSlots_LeftOutOfTheBudget()
    {
        var advice = CapacityAdvisor.Advise(new DeploymentShape(4, 10, 0, null), Server(100, superuserReserved: 3, reserved: 5, others: 12));

        Assert.Equal(92, advice.Slots.Usable);
        Assert.Equal(10, advice.Slots.AdminHeadroom);
        Assert.Equal(70, advice.Slots.ForDeployment);
        Assert.False(advice.CanExhaust);
    }

    [Fact]
    public void Advise_TimeoutsOffAndMostlyIdle_RecommendsAllThreeServerTimeouts()
    {
        var advice = CapacityAdvisor.Advise(new DeploymentShape(2, 5, 5, null), Server(100, peak: 40, active: 4, idleRatio: 0.9));

        Assert.Equal("5min", advice.Server.Single(s => s.Name == "idle_in_transaction_session_timeout").Recommended);
        Assert.Equal("10min", advice.Server.Single(s => s.Name == "idle_session_timeout").Recommended);
        Assert.Equal("30s", advice.Server.Single(s => s.Name == "statement_timeout").Recommended);
    }

    [Fact]
    public void Advise_ServerIdleSessionTimeoutShort_PoolRecyclesBeforeIt()
    {
        var timeouts = new SessionTimeouts(TimeSpan.FromMinutes(1), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(15));

        var advice = CapacityAdvisor.Advise(new DeploymentShape(2, 5, 5, null), Server(100, timeouts: timeouts));

        Assert.Equal(90, advice.Pool.PoolRecycleSeconds);
        Assert.Equal(15, advice.Pool.CommandTimeoutSeconds);
        Assert.All(advice.Server, s => Assert.Null(s.Recommended));
    }

    [Fact]
    public void Validate_EveryBadValue_AllReportedAtOnce()
    {
        var errors = new DeploymentShape(0, 0, -1, 0).Validate();

        Assert.Equal(4, errors.Count);
    }

    [Theory]
    [InlineData(EmitFormat.Env, "DATABASE_POOL_SIZE=2\n")]
    [InlineData(EmitFormat.Npgsql, "Maximum Pool Size=3;")]
    [InlineData(EmitFormat.SqlAlchemy, "    \"DATABASE_POOL_SIZE\": \"2\",\n")]
    [InlineData(EmitFormat.Hikari, "maximumPoolSize=3\n")]
    [InlineData(EmitFormat.PgBouncer, "default_pool_size = 8\n")]
    public void Emit_RunbookExample_EachFormatCarriesTheRecommendedPool(EmitFormat format, string expected)
    {
        var advice = CapacityAdvisor.Advise(new DeploymentShape(4, 20, 10, 4), Server(100));

        var text = CapacityEmitter.Emit(advice, format, new EmitTarget("db.internal", 5432, "shop", "app"));

        Assert.Contains(expected, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Variables_RunbookExample_TheRunbooksNamesInOneOrderWithTheComputedValues()
    {
        var advice = CapacityAdvisor.Advise(new DeploymentShape(4, 20, 10, 4), Server(100));

        var variables = CapacityEmitter.Variables(advice).Select(v => $"{v.Name}={v.Value}");

        Assert.Equal(
            ["DATABASE_POOL_SIZE=2", "DATABASE_MAX_OVERFLOW=1", "DATABASE_POOL_TIMEOUT=10", "DATABASE_POOL_RECYCLE=300", "DATABASE_POOL_PRE_PING=true", "DATABASE_CONNECT_TIMEOUT=10", "DATABASE_COMMAND_TIMEOUT=30"],
            variables);
    }

    [Fact]
    public void Emit_SqlAlchemyApplicationNameWithQuotes_StaysOnePythonString()
    {
        var advice = CapacityAdvisor.Advise(new DeploymentShape(4, 20, 10, 4), Server(100));

        var text = CapacityEmitter.Emit(advice, EmitFormat.SqlAlchemy, new EmitTarget("db", 5432, "shop", "app", "shop \"api\"\\x\n"));

        Assert.Contains("APPLICATION_NAME = os.environ.get(\"PGAPPNAME\") or \"shop \\\"api\\\"\\\\x\"\n", text, StringComparison.Ordinal);
    }
}
