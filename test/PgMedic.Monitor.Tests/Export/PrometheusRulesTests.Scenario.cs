using System.Globalization;

namespace PgMedic.Monitor.Tests.Export;

public sealed partial class PrometheusRulesTests
{
    /// <summary>
    /// The series of each case, as Prometheus would scrape them every <c>scrape</c> seconds from pgmedic
    /// serve's /metrics or from postgres_exporter. Trouble starts at <see cref="Start"/>; series run to <see cref="End"/>.
    /// </summary>
    private sealed class Scenario(bool pgmedic, int scrape, Windows windows)
    {
        private const int Start = 600;
        private const int End = 2400;
        private const int FailureFor = 120;
        private const string Target = "target=\"db\"";
        private const string Instance = "instance=\"db:9187\"";

        public List<Case> Cases()
        {
            var cases = new List<Case>();
            cases.AddRange(Saturation());
            cases.AddRange(Failure());
            cases.AddRange(IdleInTransaction());
            cases.AddRange(Leak());
            cases.AddRange(Forecast());
            if (pgmedic)
            {
                cases.AddRange(MonitorAlert("PgMedicBlockingChain", "blocking-chain", "idle-in-transaction",
                    "sessions wait behind a lock held by another session (pgmedic heal terminates the head)"));
                cases.AddRange(SloBurn());
            }

            return cases;
        }

        private IEnumerable<Case> Saturation()
        {
            foreach (var (rule, severity, threshold, high, below) in new[] { ("PgMedicConnectionSaturationWarning", "warning", 80, 85, 79), ("PgMedicConnectionSaturationCritical", "critical", 90, 95, 89) })
            {
                yield return Fires(
                    $"{severity}: usage steps from 70 % to {high} % of usable slots",
                    rule,
                    Usage(t => t < Start ? 70 : high, 100),
                    Start - scrape,
                    Start,
                    Alert(severity, "connection-saturation", $"{high}.0 % of usable connection slots in use ({severity} at {threshold} %)"));
                yield return Never($"{severity}: usage stays at {below} %", rule, Usage(_ => below, 100));
            }
        }

        /// <summary>Every probe fails from <see cref="Start"/>: the alert fires its 'for' (2m) later, within one declared scrape.</summary>
        private IEnumerable<Case> Failure()
        {
            const string rule = "PgMedicDatabaseConnectionFailure";
            var promised = Start + FailureFor;
            var summary = $"connection failures above 10 % over {(pgmedic ? windows.FailureText : windows.ScrapedFailureText)} (the runbook's database-connection-failure)";
            if (pgmedic)
            {
                // pgmedic serve probes every 5 s; a probe failing right after the scrape before Start.
                var attempts = Series($"pgmedic_probe_attempts_total{{{Target}}}", t => 1000 + (t / 5));
                yield return Fires("every probe fails from the start on", rule,
                    [attempts, Series($"pgmedic_probe_failures_total{{{Target}}}", t => t < Start ? 100 : 100 + ((t - Start + scrape) / 5))],
                    promised - scrape, promised + windows.Declared, Alert("critical", "database-connection-failure", summary));
                yield return Never("one probe in 24 fails (4 %)", rule, [attempts, Series($"pgmedic_probe_failures_total{{{Target}}}", t => 100 + (t / 120))]);
            }
            else
            {
                yield return Fires("pg_up is 0 from the start on", rule, [Series($"pg_up{{{Instance}}}", t => t < Start ? 1 : 0)],
                    promised - scrape, promised + windows.Declared, Alert("critical", "database-connection-failure", summary));
                yield return Never("one failed scrape (a blip)", rule, [Series($"pg_up{{{Instance}}}", t => t == 900 ? 0 : 1)]);
            }
        }

        private IEnumerable<Case> IdleInTransaction()
        {
            const string summary = "a session has been idle in an open transaction for too long: it holds a connection and its locks";
            if (pgmedic)
            {
                foreach (var c in MonitorAlert("PgMedicIdleInTransaction", "idle-in-transaction", "blocking-chain", summary))
                {
                    yield return c;
                }

                yield break;
            }

            // A transaction opened 60 s before Start: over 60 s idle from the next scrape on.
            const string age = "pg_stat_activity_max_tx_duration{" + Instance + ",datname=\"shop\",state=\"idle in transaction\"}";
            yield return Fires("a transaction stays open and idle past 60 s", "PgMedicIdleInTransaction",
                [Series(age, t => t < Start - 60 ? 0 : t - (Start - 60))], Start, Start + scrape, Alert("warning", "idle-in-transaction", summary));
            yield return Never("transactions end within 45 s", "PgMedicIdleInTransaction", [Series(age, t => t / scrape % 2 == 0 ? 0 : 45)]);
        }

        /// <summary>
        /// 'api' gains an idle connection every leak step from <see cref="Start"/> on and never returns one: it
        /// fires once that has gone on for the leak window, not a scrape sooner.
        /// </summary>
        private IEnumerable<Case> Leak()
        {
            const string rule = "PgMedicLeakGrowth";
            var step = windows.LeakStep;
            var promised = Start + windows.LeakFor;
            var summary = $"api: idle connections rose at least once every {windows.LeakStepText} and never fell for {windows.LeakForText}: a connection leak suspect";
            var alert = Alert("warning", "leak-growth", summary, (pgmedic ? "application" : "application_name", "api"));
            yield return Fires("api leaks one connection every leak step", rule, [Idle("api", t => t < Start ? 5 : 6 + ((t - Start) / step))], promised - scrape, promised, alert);
            yield return Never(
                "a pool warming up for less than the window, then level; a pool scaled up at once",
                rule,
                [
                    Idle("warmup", t => t < Start ? 5 : 6 + Math.Min((t - Start) / step, (windows.LeakFor / step) - 1)),
                    Idle("scaled", t => t < Start ? 5 : 15),
                ]);
        }

        /// <summary>
        /// Client connections rise 8 a minute against 201 usable slots: 10 minutes ahead they reach 201 once
        /// 122 are in use (at 14 minutes); one scrape before, the trend still falls short.
        /// </summary>
        private IEnumerable<Case> Forecast()
        {
            const string rule = "PgMedicExhaustionForecast";
            const int promised = 840;
            yield return Fires("connections rise 8 a minute", rule, Usage(t => 10 + (2 * t / 15), 201), promised - scrape, promised,
                Alert("warning", "exhaustion-forecast", "at the current trend, usable connection slots run out within 10m"));
            yield return Never("connections rise one a minute from 60 %", rule, Usage(t => 120 + (t / 60), 201));
        }

        /// <summary>
        /// The workbook's burn-rate alerts over a 99.9 % objective: 10 checkouts a second from 0 s, 2 % of them
        /// failing from <see cref="Start"/>. A window that reaches back to 0 s holds 0.02 × (t − 600) / t of
        /// failures: above 14.4 × 0.001 from t = 2142.9 s, above 6 × 0.001 from 857.1 s, above 0.001 from
        /// 631.6 s; the short windows hold 2 % by then. Each fires at the first evaluation past its moment;
        /// a failure rate just below each factor never fires it.
        /// </summary>
        private IEnumerable<Case> SloBurn()
        {
            foreach (var (window, factor, severity, crossing, below, shortWindow, kind) in new[]
            {
                ("1h", 14.4, "critical", 2142.86, 0.013, "5m", "page"),
                ("6h", 6.0, "critical", 857.14, 0.0055, "30m", "page"),
                ("3d", 1.0, "warning", 631.58, 0.0009, "6h", "ticket"),
            })
            {
                var rule = $"PgMedicSloBurnRate{window}";
                var firing = (int)(Math.Ceiling(crossing / scrape) * scrape);
                var summary = $"the error budget burns above {factor.ToString("0.###", CultureInfo.InvariantCulture)}× the sustainable rate over {window} and {shortWindow} (the SRE workbook's {kind})";
                yield return Fires($"2 % of checkouts fail from the start on ({window})", rule, Checkouts(0.02), firing - scrape, firing,
                    Alert(severity, "slo-burn-rate", summary, ("window", window)));
                yield return Never($"{below * 100} % of checkouts fail, just below {factor}×", rule, Checkouts(below));
            }
        }

        /// <summary>The monitor's objective counters: 10 checkouts a second, <paramref name="failing"/> of them failing from <see cref="Start"/>.</summary>
        private List<(string, string)> Checkouts(double failing) =>
        [
            Series($"pgmedic_slo_attempts_total{{{Target}}}", t => 10 * t),
            Series($"pgmedic_slo_failures_total{{{Target}}}", t => t < Start ? 0 : Math.Round(10 * failing * (t - Start), 6)),
            Series($"pgmedic_slo_objective_ratio{{{Target}}}", _ => 0.999),
        ];

        /// <summary>Rules over the monitor's own firing alerts: the monitor already waited its 'for', so they fire at once.</summary>
        private IEnumerable<Case> MonitorAlert(string rule, string alert, string other, string summary)
        {
            yield return Fires($"the monitor's {alert} alert fires", rule,
                [Series($"pgmedic_alerts_firing{{{Target},alert=\"{alert}\",severity=\"warning\"}}", t => t < Start ? null : 1)],
                Start - scrape, Start, Alert("warning", alert, summary));
            yield return Never($"only the monitor's {other} alert fires", rule, [Series($"pgmedic_alerts_firing{{{Target},alert=\"{other}\",severity=\"warning\"}}", _ => 1)]);
        }

        private List<(string, string)> Usage(Func<int, int> clients, int usable) => pgmedic
            ?
            [
                Series($"pgmedic_client_backends{{{Target}}}", t => clients(t)),
                Series($"pgmedic_usable_slots{{{Target}}}", _ => usable),
                Series($"pgmedic_connections_used_percent{{{Target}}}", t => 100.0 * clients(t) / usable),
            ]
            :
            [
                Series($"pg_stat_activity_count{{{Instance},datname=\"shop\",state=\"active\",usename=\"app\",application_name=\"api\"}}", t => clients(t)),
                Series($"pg_settings_max_connections{{{Instance}}}", _ => usable + 3),
                Series($"pg_settings_superuser_reserved_connections{{{Instance}}}", _ => 3),
            ];

        private (string, string) Idle(string application, Func<int, int> count) => pgmedic
            ? Series($"pgmedic_idle_connections_by_application{{{Target},application=\"{application}\"}}", t => count(t))
            : Series($"pg_stat_activity_count{{{Instance},datname=\"shop\",state=\"idle\",usename=\"app\",application_name=\"{application}\"}}", t => count(t));

        private Expected Alert(string severity, string alert, string summary, params (string Name, string Value)[] more)
        {
            var labels = new Dictionary<string, string>(StringComparer.Ordinal) { ["severity"] = severity, ["pgmedic_alert"] = alert };
            labels[pgmedic ? "target" : "instance"] = pgmedic ? "db" : "db:9187";
            foreach (var (name, value) in more)
            {
                labels[name] = value;
            }

            return new Expected(labels, summary);
        }

        private static Case Fires(string name, string rule, IReadOnlyList<(string, string)> input, int silentAt, int firingAt, Expected alert) =>
            new($"{rule} fires: {name}", rule, true, input, [(silentAt, null), (firingAt, alert)]);

        /// <summary>Checked at every scrape: a rule that fires even once on this series is wrong.</summary>
        private Case Never(string name, string rule, IReadOnlyList<(string, string)> input) =>
            new($"{rule} stays silent: {name}", rule, false, input, Enumerable.Range(0, (End / scrape) + 1).Select(i => (i * scrape, (Expected?)null)).ToList());

        /// <summary>A series in promtool's notation, one value a scrape ('_' where it is absent).</summary>
        private (string, string) Series(string name, Func<int, double?> value) =>
            (name, string.Join(' ', Enumerable.Range(0, (End / scrape) + 1).Select(i => value(i * scrape) is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "_")));
    }
}
