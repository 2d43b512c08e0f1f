using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using PgMedic.Guard.Configuration;

namespace PgMedic.Guard.Tests.Holders;

[Collection(GuardSandboxCollection.Name)]
public sealed class LeakDetectionTests(GuardSandboxFixture fixture)
{
    [Fact]
    public async Task LeakScan_CheckoutHeldPastThreshold_ReportedOnceWithFileLineAndTheServersPid()
    {
        var time = new FakeTimeProvider();
        var log = new CollectingLogger();
        await using var guard = Guards.Create(fixture.Sandbox, "leak-reported", o => o.LeakThreshold = TimeSpan.FromSeconds(10), time, log);

        var expectedLine = NextLine();
        var leaked = await guard.OpenConnectionAsync();
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Empty(log.At(LogLevel.Warning));
        time.Advance(TimeSpan.FromSeconds(3));
        time.Advance(TimeSpan.FromSeconds(30));

        var warning = Assert.Single(log.At(LogLevel.Warning));
        var pid = leaked.ProcessID;
        Assert.Contains($"{ThisFile()}:{expectedLine}", warning, StringComparison.Ordinal);
        Assert.Contains(nameof(LeakScan_CheckoutHeldPastThreshold_ReportedOnceWithFileLineAndTheServersPid), warning, StringComparison.Ordinal);
        Assert.Contains($"backend PID {pid}", warning, StringComparison.Ordinal);
        Assert.Equal([pid], await Guards.ServerPidsAsync(fixture.Sandbox, "leak-reported"));
        Assert.Equal(1, guard.Statistics.Leaks);
        var holder = Assert.Single(guard.Holders);
        Assert.True(holder.Leaked);
        Assert.Equal(pid, holder.BackendPid);
        Assert.Equal(expectedLine, holder.CallSite.Line);
        Assert.Equal(TimeSpan.FromSeconds(42), holder.Age);
        await leaked.DisposeAsync();
    }

    [Fact]
    public async Task LeakScan_LeakedConnectionReturnedLater_ReportedAsReturnedAndHoldersEmpty()
    {
        var time = new FakeTimeProvider();
        var log = new CollectingLogger();
        await using var guard = Guards.Create(fixture.Sandbox, "leak-returned", o => o.LeakThreshold = TimeSpan.FromSeconds(5), time, log);
        var leaked = await guard.OpenConnectionAsync();
        time.Advance(TimeSpan.FromSeconds(6));

        time.Advance(TimeSpan.FromSeconds(60));
        await leaked.DisposeAsync();

        var returned = Assert.Single(log.At(LogLevel.Information), m => m.Contains("returned", StringComparison.Ordinal));
        Assert.Contains("after 66.0 s", returned, StringComparison.Ordinal);
        Assert.Empty(guard.Holders);
        Assert.Equal(0, guard.Statistics.CheckedOut);
        Assert.Equal(1, guard.Statistics.Leaks);
    }

    [Fact]
    public async Task LeakScan_ShortCheckouts_NeverReported()
    {
        var time = new FakeTimeProvider();
        var log = new CollectingLogger();
        await using var guard = Guards.Create(fixture.Sandbox, "leak-none", o => o.LeakThreshold = TimeSpan.FromSeconds(5), time, log);

        for (var i = 0; i < 5; i++)
        {
            await using var connection = await guard.OpenConnectionAsync();
            Assert.Equal(1, await Guards.SelectOneAsync(connection));
            time.Advance(TimeSpan.FromSeconds(4));
        }

        time.Advance(TimeSpan.FromMinutes(5));
        Assert.Empty(log.At(LogLevel.Warning));
        Assert.Equal(0, guard.Statistics.Leaks);
    }

    [Fact]
    public async Task Holders_StackTracesAll_EachHolderCarriesTheCallersStack()
    {
        await using var guard = Guards.Create(fixture.Sandbox, "stacks-all", o => o.StackTraces = StackTraceMode.All);

        await using var connection = await guard.OpenConnectionAsync();

        var holder = Assert.Single(guard.Holders);
        Assert.NotNull(holder.StackTrace);
        var firstFrame = holder.StackTrace!.Split('\n')[0];
        Assert.Contains(nameof(Holders_StackTracesAll_EachHolderCarriesTheCallersStack), firstFrame, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Holders_StackTracesSampledOneInThree_OnlyEveryThirdCheckoutHasAStack()
    {
        await using var guard = Guards.Create(fixture.Sandbox, "stacks-sampled", o => (o.StackTraces, o.StackTraceSampleRate) = (StackTraceMode.Sampled, 3));
        var held = new List<Npgsql.NpgsqlConnection>();
        for (var i = 0; i < 6; i++)
        {
            held.Add(await guard.OpenConnectionAsync());
        }

        var withStacks = guard.Holders.Select(h => h.StackTrace is not null).ToList();
        Assert.Equal([false, false, true, false, false, true], withStacks);
        foreach (var connection in held)
        {
            await connection.DisposeAsync();
        }
    }

    private static int NextLine([CallerLineNumber] int line = 0) => line + 1;

    private static string ThisFile([CallerFilePath] string file = "") => file;
}
