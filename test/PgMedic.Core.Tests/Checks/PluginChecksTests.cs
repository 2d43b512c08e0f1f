using System.Text.RegularExpressions;
using PgMedic.Core.Checks;
using PgMedic.Core.Common;
using PgMedic.Core.Snapshots;

namespace PgMedic.Core.Tests.Checks;

public sealed partial class PluginChecksTests
{
    [Theory]
    [InlineData("80%", ConnectionThresholdKind.PercentOfUsable, 80, 77.6)]
    [InlineData("50", ConnectionThresholdKind.Count, 50, 50)]
    [InlineData("-5", ConnectionThresholdKind.SlotsLeft, 5, 92)]
    [InlineData("12.5%", ConnectionThresholdKind.PercentOfUsable, 12.5, 12.1)]
    public void ConnectionThreshold_ThreeForms_AsConnectionsOf97Usable(string text, ConnectionThresholdKind kind, double value, double connections)
    {
        Assert.True(ConnectionThreshold.TryParse(text, out var threshold, out _));

        Assert.Equal(new ConnectionThreshold(kind, value), threshold);
        Assert.Equal(connections, threshold!.AsConnections(97));
    }

    [Theory]
    [InlineData("")]
    [InlineData("lots")]
    [InlineData("80%%")]
    [InlineData("--5")]
    [InlineData("5 slots")]
    public void ConnectionThreshold_Malformed_ErrorNamesTheForms(string text)
    {
        Assert.False(ConnectionThreshold.TryParse(text, out _, out var error));
        Assert.Contains("N% (of usable slots)", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(70, ExitCode.Ok)]
    [InlineData(85, ExitCode.Warning)]
    [InlineData(95, ExitCode.Critical)]
    public void Connections_ByPercentOfUsable_StatusAndPluginLine(int clients, ExitCode expected)
    {
        var snapshot = Snapshots.Of(Snapshots.Server(103, 3), Snapshots.Many(clients, SessionStates.Idle, TimeSpan.FromSeconds(3)));

        var result = PluginChecks.Connections(snapshot, new ConnectionThreshold(ConnectionThresholdKind.PercentOfUsable, 80), new ConnectionThreshold(ConnectionThresholdKind.PercentOfUsable, 90));

        Assert.Equal(expected, result.Status);
        var line = result.ToLine();
        var match = PluginLine().Match(line);
        Assert.True(match.Success, line);
        Assert.Equal(PluginResult.StatusWord(expected), match.Groups["status"].Value);
        Assert.Contains($"connections={clients};80;90;0;100", line, StringComparison.Ordinal);
        Assert.All(match.Groups["perf"].Value.Split(' '), item => Assert.Matches(PerfItem(), item));
    }

    [Fact]
    public void Connections_SlotsLeftThreshold_CriticalWhenFewLeft()
    {
        var snapshot = Snapshots.Of(Snapshots.Server(20, 3), Snapshots.Many(15, SessionStates.Idle, TimeSpan.FromSeconds(3)));

        var result = PluginChecks.Connections(snapshot, new ConnectionThreshold(ConnectionThresholdKind.SlotsLeft, 5), new ConnectionThreshold(ConnectionThresholdKind.SlotsLeft, 2));

        Assert.Equal(ExitCode.Critical, result.Status);
        Assert.Contains("15 of 17 usable slots in use (88.2%), 2 left", result.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void IdleInTransaction_OldestNamedWithPid()
    {
        var stuck = Snapshots.Client(SessionStates.IdleInTransaction, TimeSpan.FromMinutes(7), application: "billing", pid: 4242);
        var snapshot = Snapshots.Of(Snapshots.Server(), stuck, Snapshots.Client(SessionStates.IdleInTransaction, TimeSpan.FromSeconds(3)));

        var result = PluginChecks.IdleInTransaction(snapshot, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5));

        Assert.Equal(ExitCode.Critical, result.Status);
        Assert.Contains("2 session(s) idle in transaction, 1 for over 1m; oldest 7m: pid 4242 billing", result.Text, StringComparison.Ordinal);
        Assert.StartsWith("POSTGRES_IDLE_IN_TRANSACTION CRITICAL - ", result.ToLine(), StringComparison.Ordinal);
        Assert.Contains("oldest=420s;60;300;0;", result.ToLine(), StringComparison.Ordinal);
    }

    [Fact]
    public void LongQueries_Walsender_Ignored()
    {
        var snapshot = Snapshots.Of(Snapshots.Server(), Snapshots.Client(SessionStates.Active, TimeSpan.FromHours(9), backendType: BackendTypes.Walsender));

        var result = PluginChecks.LongQueries(snapshot, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5));

        Assert.Equal(ExitCode.Ok, result.Status);
        Assert.Equal("no session running", result.Text);
    }

    [Fact]
    public void ToLine_TextWithPipeAndNewline_StaysOnePluginLine()
    {
        var line = new PluginResult("SVC", ExitCode.Warning, "a | b\nc", [new PerfData("my label", 1.5, "s")]).ToLine();

        Assert.Equal("SVC WARNING - a / b c | 'my label'=1.5s;;;;", line);
    }

    // Nagios plugin API: "SERVICE STATUS - text | 'label'=value[UOM];[warn];[crit];[min];[max] …"
    [GeneratedRegex(@"^(?<service>[A-Z_]+) (?<status>OK|WARNING|CRITICAL|UNKNOWN) - (?<text>[^|\n]+)( \| (?<perf>.+))?$")]
    private static partial Regex PluginLine();

    [GeneratedRegex(@"^('[^']+'|[A-Za-z0-9_.-]+)=-?[0-9.]+(s|ms|us|%|B|KB|MB|TB|c)?;(-?[0-9.]*);(-?[0-9.]*);(-?[0-9.]*);(-?[0-9.]*)$")]
    private static partial Regex PerfItem();
}
