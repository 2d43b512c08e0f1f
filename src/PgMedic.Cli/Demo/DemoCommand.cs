using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using PgMedic.Cli.Probe;
using PgMedic.Core.Probing;
using PgMedic.Postgres.Probing;
using PgMedic.Postgres.Sandbox;

namespace PgMedic.Cli.Demo;

/// <summary>
/// <c>pgmedic demo</c>: starts its own PostgreSQL and shows the runbook's first minute — every way
/// "can we connect?" can be answered — then stops everything it started.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(CliContext context)
    {
        var command = new Command("demo", "Start a sandbox PostgreSQL, show each probe outcome on it for real, and stop it. Needs nothing but the PostgreSQL server package.");
        command.SetAction((_, cancellationToken) => RunAsync(context, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        void Say(string line) => context.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed:mm\\:ss\\.f}] {line}"));

        Say("Starting a sandbox PostgreSQL (max_connections=20) on 127.0.0.1…");
        await using var sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { MaxConnections = 20 }, cancellationToken: cancellationToken);
        Say($"Sandbox PostgreSQL {sandbox.ServerVersion} ready at {sandbox.SuperuserTarget.Masked} (directory {sandbox.Directory})");

        var timeout = TimeSpan.FromSeconds(3);
        var checks = new (string Label, Func<Task<ProbeResult>> Probe, ProbeOutcome Expected, string? Reason)[]
        {
            ("probe as the superuser", () => Prober.ProbeAsync(sandbox.SuperuserTarget, timeout, cancellationToken), ProbeOutcome.Accepting, null),
            ("probe with a wrong password", () => Prober.ProbeAsync(sandbox.SuperuserTarget with { Password = "wrong" }, timeout, cancellationToken), ProbeOutcome.Rejecting, ProbeReason.AuthFailed),
            ("probe a database that does not exist", () => Prober.ProbeAsync(sandbox.SuperuserTarget.WithDatabase("no_such_db"), timeout, cancellationToken), ProbeOutcome.Rejecting, ProbeReason.DatabaseMissing),
            ("stop the server, then probe", async () =>
            {
                await sandbox.StopServerAsync(cancellationToken);
                return await Prober.ProbeAsync(sandbox.SuperuserTarget, timeout, cancellationToken);
            }, ProbeOutcome.NoResponse, ProbeReason.Refused),
        };

        var failures = 0;
        foreach (var (label, probe, expected, reason) in checks)
        {
            var result = await probe();
            var asExpected = result.Outcome == expected && result.Reason == reason;
            failures += asExpected ? 0 : 1;
            Say($"{label}: {ProbeRenderer.Verdict(result)} → exit {(int)result.ExitCode}{(asExpected ? string.Empty : $"  (UNEXPECTED: wanted {expected} {reason})")}");
            if (result.Advice is { } advice)
            {
                Say($"    next: {advice}");
            }
        }

        await sandbox.DisposeAsync();
        Say("Sandbox stopped and its directory removed.");
        Say(failures == 0 ? "Demo finished: every outcome was told apart correctly." : $"Demo finished with {failures} unexpected outcome(s).");
        return failures == 0 ? 0 : 2;
    }
}
