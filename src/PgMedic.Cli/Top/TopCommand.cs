using System.CommandLine;
using PgMedic.Cli.Activity;
using PgMedic.Cli.Common;
using PgMedic.Cli.Remediation;
using PgMedic.Core.Activity;
using PgMedic.Core.Common;
using PgMedic.Postgres.Collection;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Cli.Top;

/// <summary>
/// <c>pgmedic top</c>: the incident console, over ONE collector connection kept for the whole session —
/// live panes and a lock tree, a cursor, and keys that terminate or cancel through the remediation engine
/// (the plan in a dialog, guardrails, audit). Without a terminal it prints one frame and exits 0.
/// </summary>
internal static class TopCommand
{
    private static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(250);
    private const int OneFrameWidth = 200;

    public static Command Create(CliContext context)
    {
        var options = new RemediationOptions();
        var interval = CommonOptions.DurationOption("--interval", null, "Refresh this often (at least 250ms; + and - step between 0.5s and 5s)", TimeSpan.FromSeconds(2));
        var state = ActivityCommand.StateOption();
        var application = new Option<string?>("--application", "-a") { Description = "Only sessions with this application_name (exact)", HelpName = "name" };
        var user = new Option<string?>("--user") { Description = "Only sessions of this role (exact; the login is -U/--username)", HelpName = "role" };
        var idleFor = CommonOptions.OptionalDurationOption("--idle-for", "-i", "Idle-in-transaction pane: only sessions in that state at least this long");
        var runningFor = CommonOptions.OptionalDurationOption("--running-for", "-r", "Running pane: only queries running at least this long");
        var waitingFor = CommonOptions.OptionalDurationOption("--waiting-for", null, "Waiting pane and lock tree: only lock waits (and chains whose longest wait is) at least this long");
        var viewOption = new Option<string?>("--view") { Description = "Start in this view: overview (default), running, idle-in-transaction, waiting, blocking, lock-tree", HelpName = "view" };
        var readOnly = new Option<bool>("--read-only") { Description = "Watch only: K and C refuse (for people who must not act)" };
        var output = new Option<string?>("--output", "-o") { Description = "Append each frame's sessions to this CSV file (reads every session's query text)", HelpName = "file.csv" };
        var command = new Command("top", "The incident console: usage of usable slots, tps and uptime, then running, idle-in-transaction, waiting and blocking sessions and a lock tree; move with ↑/↓, tag with Space, K terminates and C cancels through the same plan, guardrails and audit log as the terminate and cancel verbs (--read-only turns them off); ? lists the keys, q quits. One connection for the whole session. Without a terminal (piped), prints one frame and exits 0.")
        {
            interval, state, application, user, idleFor, runningFor, waitingFor, viewOption, readOnly, output,
            CommonOptions.Renamed("-n", "--interval"),
        };
        options.AddTo(command, withConfirmation: false);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var errors = new List<string>();
            var every = parseResult.GetValue(interval);
            if (every < MinimumInterval)
            {
                errors.Add($"--interval {Duration.Format(every)} is too short: use at least {Duration.Format(MinimumInterval)}");
            }

            var view = ParseView(parseResult.GetValue(viewOption), errors);
            var csvPath = parseResult.GetValue(output);
            if (csvPath is not null && FrameCsv.Problem(csvPath) is { } csvProblem)
            {
                errors.Add(csvProblem);
            }

            var isReadOnly = parseResult.GetValue(readOnly);
            var auditLog = options.AuditLogPath(parseResult, context);
            Core.Remediation.GuardrailOptions? guardrails = null;
            try
            {
                guardrails = options.Guardrails(parseResult);
            }
            catch (UsageException ex)
            {
                errors.Add(ex.Message);
            }

            if (!isReadOnly && context.IsTerminal && AuditLog.Problem(auditLog) is { } auditProblem)
            {
                errors.Add(auditProblem + " (or run top --read-only)");
            }

            if (errors.Count > 0)
            {
                throw new UsageException(string.Join("; ", errors));
            }

            var databases = parseResult.GetValue(options.Databases) ?? [];
            var query = new TopQuery(
                new ActivityFilter(parseResult.GetValue(state) ?? [], databases.Length == 1 ? databases[0] : null, parseResult.GetValue(application), parseResult.GetValue(user)),
                parseResult.GetValue(runningFor),
                parseResult.GetValue(idleFor),
                parseResult.GetValue(waitingFor));
            var target = options.Connection.Resolve(parseResult, context);
            var timeout = parseResult.GetValue(options.Timeout);
            var (collector, probe) = await CollectorConnection.OpenAsync(target, timeout, cancellationToken);
            if (collector is null)
            {
                return ConnectFailure.Report(probe, "top", context);
            }

            await using (collector)
            {
                var topState = new TopState(query, view, every, isReadOnly);
                var viewContext = new TopViewContext(target.Masked, context.IsTerminal);
                if (!context.IsTerminal)
                {
                    var snapshot = await collector.CollectAsync(SnapshotScope.Full, cancellationToken);
                    var frame = TopFrame.From(snapshot, query);
                    var screen = TopLayout.Build(frame, topState, viewContext, context.Width ?? OneFrameWidth, TopLayout.OneFrameHeight(frame, topState));
                    foreach (var line in screen.Lines)
                    {
                        context.Out.WriteLine(line.Text.TrimEnd());
                    }

                    return (int)ExitCode.Ok;
                }

                var actions = isReadOnly ? null : new TopActions(collector, target, guardrails!, auditLog, timeout, context.Time);
                using var csv = csvPath is null ? null : FrameCsv.Open(csvPath);
                using var terminal = new ConsoleTerminal();
                try
                {
                    await new TopConsole(collector.CollectAsync, topState, viewContext, actions, csv, terminal, context.Time).RunAsync(cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Ctrl+C ends a live view as q does.
                }

                return (int)ExitCode.Ok;
            }
        });
        return command;
    }

    private static TopViewKind ParseView(string? text, List<string> errors)
    {
        switch (text?.Trim().ToLowerInvariant().Replace(' ', '-'))
        {
            case null or "overview":
                return TopViewKind.Overview;
            case "running":
                return TopViewKind.Running;
            case "idle-in-transaction":
                return TopViewKind.IdleInTransaction;
            case "waiting":
                return TopViewKind.Waiting;
            case "blocking":
                return TopViewKind.Blocking;
            case "lock-tree" or "tree":
                return TopViewKind.LockTree;
            default:
                errors.Add($"--view '{text}' is not one of overview, running, idle-in-transaction, waiting, blocking, lock-tree");
                return TopViewKind.Overview;
        }
    }
}
