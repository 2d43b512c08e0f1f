using PgMedic.Cli.Remediation;
using PgMedic.Core.Remediation;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Cli.Tests.Reliability;

/// <summary>The last-resort handler: anything unexpected is one line and exit 3 (or 2 once something was done), never a trace.</summary>
public sealed class LastResortTests
{
    [Fact]
    public async Task UnexpectedException_OneScrubbedLine_Exit3()
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var context = new CliContext(output, error, name => throw new InvalidOperationException($"boom reading {name}\nsecond line postgres://app:Sw33p-Secret@db/shop"), null, IsTerminal: false, TimeProvider.System);

        var code = await CliApp.RunAsync(["probe", "postgres://127.0.0.1:1/x"], context);

        Assert.Equal(3, code);
        var line = Assert.Single(error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("pgmedic: unexpected error, nothing was done: InvalidOperationException: boom reading ", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Sw33p-Secret", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output.ToString() + error, StringComparison.Ordinal);
    }

    [Fact]
    public void Ledger_SaysWhatWasDone_OnlyOnceSomethingWas()
    {
        var ledger = new ActionLedger(SilentObserver.Instance);
        Assert.Null(ledger.Done());

        var action = new PlannedAction(SessionAction.Terminate, 101, null, null, "app", "api", null, "shop", "idle", null, null, null, null, "test");
        ledger.Results([new ActionResult(action, ActionOutcome.Terminated, null, 1), new ActionResult(action with { Pid = 102 }, ActionOutcome.Failed, "gone", 1)]);
        ledger.HookStarted("restart", "systemctl restart api");

        Assert.Equal("1 of 2 session(s) signalled; hook restart started", ledger.Done());

        ledger.Hook(new HookResult("restart", "systemctl restart api", 0, TimedOut: false, string.Empty, 5));
        Assert.Equal("1 of 2 session(s) signalled; hook restart ran", ledger.Done());
    }
}
