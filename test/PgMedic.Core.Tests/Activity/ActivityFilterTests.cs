using PgMedic.Core.Activity;
using PgMedic.Core.Snapshots;
using PgMedic.Testing;

namespace PgMedic.Core.Tests.Activity;

public sealed class ActivityFilterTests
{
    [Theory]
    [InlineData("idle", SessionStates.Idle)]
    [InlineData("ACTIVE", SessionStates.Active)]
    [InlineData("idle-in-transaction", SessionStates.IdleInTransaction)]
    [InlineData("idle in transaction", SessionStates.IdleInTransaction)]
    [InlineData("idle_in_transaction", SessionStates.IdleInTransaction)]
    [InlineData("idle-in-transaction-aborted", SessionStates.IdleInTransactionAborted)]
    [InlineData("idle in transaction (aborted)", SessionStates.IdleInTransactionAborted)]
    public void TryParseState_AsTypedOrAsPostgresSpellsIt_PgStatActivityValue(string text, string expected)
    {
        Assert.True(ActivityFilter.TryParseState(text, out var state));
        Assert.Equal(expected, state);
    }

    [Theory]
    [InlineData("bogus")]
    [InlineData("")]
    [InlineData("idle in")]
    [InlineData(null)]
    public void TryParseState_Unknown_Rejected(string? text) =>
        Assert.False(ActivityFilter.TryParseState(text, out _));

    [Fact]
    public void Matches_EveryFilterSet_AllMustMatch()
    {
        var filter = new ActivityFilter([SessionStates.Idle], "shop", "api", "app", TimeSpan.FromMinutes(5));

        Assert.True(filter.Matches(FakeSnapshots.Client(1, SessionStates.Idle, TimeSpan.FromMinutes(6)), FakeSnapshots.Now));
        Assert.False(filter.Matches(FakeSnapshots.Client(2, SessionStates.Idle, TimeSpan.FromMinutes(4)), FakeSnapshots.Now));
        Assert.False(filter.Matches(FakeSnapshots.Client(3, SessionStates.Active, TimeSpan.FromMinutes(6)), FakeSnapshots.Now));
        Assert.False(filter.Matches(FakeSnapshots.Client(4, SessionStates.Idle, TimeSpan.FromMinutes(6), application: "worker"), FakeSnapshots.Now));
        Assert.False(filter.Matches(FakeSnapshots.Client(5, SessionStates.Idle, TimeSpan.FromMinutes(6), user: "admin"), FakeSnapshots.Now));
        Assert.False(filter.Matches(FakeSnapshots.Client(6, SessionStates.Idle, TimeSpan.FromMinutes(6), database: "other"), FakeSnapshots.Now));
    }

    [Fact]
    public void Matches_BackgroundProcess_OnlyWithAllBackends()
    {
        var autovacuum = FakeSnapshots.Background(7);

        Assert.False(ActivityFilter.Everything.Matches(autovacuum, FakeSnapshots.Now));
        Assert.True((ActivityFilter.Everything with { AllBackends = true }).Matches(autovacuum, FakeSnapshots.Now));
    }

    [Fact]
    public void Describe_Filters_InWords()
    {
        var filter = new ActivityFilter([SessionStates.IdleInTransaction], Application: "api", MinAge: TimeSpan.FromMinutes(5));

        Assert.Equal("state idle in transaction · application api · in state ≥ 5m · client backends", filter.Describe());
    }
}
