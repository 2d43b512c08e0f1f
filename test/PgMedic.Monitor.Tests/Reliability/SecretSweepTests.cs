using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PgMedic.Monitor.Tests.Notifications;
using PgMedic.Postgres.Sandbox;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Reliability;

/// <summary>
/// The secret sweep: one distinctive password threaded through real runs of the real binary — the
/// target's own password (URL, conninfo, PGPASSWORD), SQL text that sets it, hook command lines that
/// print it, pool endpoint and webhook URLs whose userinfo holds it — then every captured output and
/// file (stdout/stderr of every verb in every format, serve's HTTP answers, its SQLite history, the
/// webhook bodies, the audit log, the report) is searched for it in every encoding: 0 hits.
/// </summary>
public sealed class SecretSweepTests : IAsyncLifetime
{
    private const string Password = "Sw33p-PgMedic-Secret!";
    private const string Role = "sweeper";
    private const string Token = "sweep-access-token-0123456789";

    /// <summary>A client that names itself with the password: only the target's own scrubber can see it.</summary>
    private static readonly string PlainApplication = $"app-{Password}";
    private readonly string _work = Directory.CreateTempSubdirectory("pgmedic-sweep-").FullName;
    private readonly List<(string Name, string Text)> _captured = [];
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private PostgresSandbox _sandbox = null!;

    private string AuditLog => Path.Combine(_work, "audit.jsonl");

    public async Task InitializeAsync() => _sandbox = await PostgresSandbox.StartAsync(new SandboxOptions { CreatePgStatStatements = true });

    public async Task DisposeAsync()
    {
        await _sandbox.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    /// <summary>The password as it could leak: raw, percent-encoded (both cases), form-encoded, SQL-quoted, JSON-escaped, base64 (alone and as Basic auth).</summary>
    public static IReadOnlyList<string> Encodings(string user, string password) =>
        new[]
        {
            password,
            Uri.EscapeDataString(password),
            Regex.Replace(Uri.EscapeDataString(password), "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant()),
            WebUtility.UrlEncode(password),
            password.Replace("'", "''", StringComparison.Ordinal),
            JsonSerializer.Serialize(password)[1..^1],
            Convert.ToBase64String(Encoding.UTF8.GetBytes(password)),
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{user}:{password}")),
            "%" + string.Join("%", Encoding.UTF8.GetBytes(password).Select(b => b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture))),
        }.Distinct(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task EveryVerbFormatHttpAnswerAndFile_HoldsThePasswordInNoEncoding()
    {
        var target = await _sandbox.CreateRoleAsync(Role, Password, "SUPERUSER");
        var url = target.ToUrl();
        var conninfo = $"host=127.0.0.1 port={_sandbox.Port} user={Role} password={Password} dbname=postgres";
        var poolEndpoint = $"http://svc:{Uri.EscapeDataString(Password)}@127.0.0.1:1/health/pool";
        await using var held = await HeldConnections.OpenAsync(target, 2, "sweep-app");
        await new Npgsql.NpgsqlCommand($"ALTER ROLE {Role} PASSWORD '{Password}'", held.Connections[0]).ExecuteNonQueryAsync();
        await new Npgsql.NpgsqlCommand($"SELECT 'host=db user=app password={Password}' AS dblink_conninfo", held.Connections[1]).ExecuteNonQueryAsync();

        // The target's password in plain text where no shape rule can see it: an application_name and a query literal.
        await using var plain = await PlainSessionAsync(target);

        foreach (var format in new[] { "table", "json", "markdown" })
        {
            await RunAsync(null, "probe", url, "--format", format);
            await RunAsync(null, "probe", conninfo, "--format", format);
            await RunAsync(new Dictionary<string, string> { ["PGPASSWORD"] = Password }, "probe", "-h", "127.0.0.1", "-p", _sandbox.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", Role, "-d", "postgres", "--format", format);
            await RunAsync(null, "diagnose", url, "--pool-endpoint", poolEndpoint, "--format", format);
            await RunAsync(null, "activity", url, "--format", format);
            await RunAsync(null, "slow-queries", url, "--format", format);
            await RunAsync(null, "advise", url, "--workers", "4", "--format", format);
            await RunAsync(null, "terminate", url, "--state", "idle", "--idle-for", "1ms", "--application", "sweep-app", "--include-superusers", "--format", format);
            await RunAsync(null, "check", "connections", url);
            await RunAsync(null, "heal", url, "--idle-for", "1ms", "--include-superusers", "--format", format);
            await RunAsync(null, "cancel", url, "--running-for", "1ms", "--include-superusers", "--format", format);
            await RunAsync(null, "pools", poolEndpoint, "--timeout", "1s", "--format", format);
        }

        await RunAsync(null, "top", url);
        await RunAsync(null, "terminate", url, "--application", PlainApplication.Replace(Password, "***", StringComparison.Ordinal), "--state", "idle", "--idle-for", "1ms", "--include-superusers", "--format", "json");
        var log = Path.Combine(_work, "app.log");
        await File.WriteAllLinesAsync(log,
        [
            $"2026-12-01 03:00:01.000 UTC [311] FATAL:  sorry, too many clients already",
            $"2026-12-01 03:00:02.000 UTC [312] LOG:  connection string Host=db;Username=app;Password={Password};Database=shop",
            $"2026-12-01 03:00:03.000 UTC [313] ERROR:  could not connect to postgres://app:{Uri.EscapeDataString(Password)}@db:5432/shop: remaining connection slots are reserved",
        ]);
        foreach (var format in new[] { "table", "json", "markdown" })
        {
            await RunAsync(null, "logs", log, "--format", format);
        }

        await SandboxAsync();

        // Wrong password: the refusal must not echo the one that was typed.
        await RunAsync(null, "probe", url.Replace(Uri.EscapeDataString(Password), Uri.EscapeDataString(Password + "x"), StringComparison.Ordinal));
        var hook = $"echo 'seen {Password} {Uri.EscapeDataString(Password)}'; echo 'PGPASSWORD={Password} psql' >&2";
        await RunAsync(null, "terminate", url, "--state", "idle", "--idle-for", "1ms", "--application", "sweep-app", "--include-superusers", "--yes", "--audit-log", AuditLog, "--format", "json");
        await RunAsync(null, "emergency", url, "--yes", "--confirm-database", "postgres", "--restart-command", hook, "--maintenance-on-command", hook, "--maintenance-off-command", "echo off", "--audit-log", AuditLog, "--format", "json");
        await RunAsync(null, "emergency", url, "--yes", "--confirm-database", "postgres", "--restart-command", hook, "--audit-log", AuditLog, "--format", "table");
        var report = Path.Combine(_work, "report.md");
        await RunAsync(null, "report", "--audit-log", AuditLog, "--output", report);
        await RunAsync(null, "report", "--audit-log", AuditLog, "--format", "json");
        Capture("report.md", await File.ReadAllTextAsync(report));

        await ServeAsync(conninfo, poolEndpoint);
        var audit = await File.ReadAllLinesAsync(AuditLog);
        Capture("audit.jsonl", string.Join('\n', audit.Where(l => !l.Contains("\"origin\":\"serve\"", StringComparison.Ordinal))));
        Capture("serve audit log", string.Join('\n', audit.Where(l => l.Contains("\"origin\":\"serve\"", StringComparison.Ordinal))));

        var forms = Encodings(Role, Password);
        var exits = string.Join(", ", _captured.Where(c => c.Name.StartsWith("pgmedic ", StringComparison.Ordinal))
            .GroupBy(c => c.Name).Select(g => $"{g.Key.Replace("pgmedic ", string.Empty, StringComparison.Ordinal)} ×{g.Count()}"));
        var hits = _captured.SelectMany(c => forms.Where(f => c.Text.Contains(f, StringComparison.Ordinal)).Select(f => $"{c.Name}: '{f}'")).ToList();
        ReliabilityRecord.Write("1-secret-sweep", $"""
            ## Secret sweep

            | password | encodings searched | outputs scanned | bytes scanned | hits |
            |---|---|---|---|---|
            | `{Password}` (target URL, conninfo, PGPASSWORD, ALTER ROLE … PASSWORD, dblink conninfo, a session's application_name and a query literal in plain text, hook command lines and output, pool endpoint and webhook userinfo, log lines) | {forms.Count} distinct forms (raw, percent-encoded upper/lower/every byte, form-encoded, SQL-quoted, JSON-escaped, base64, Basic auth) | {_captured.Count} (every verb's stdout+stderr in table/json/markdown — heal, cancel, top, logs, pools, export and sandbox too —, serve's HTTP answers with 401/404/413/429 bodies and its action answers, SQLite history, webhook bodies, the CLI's and serve's audit log, report) | {_captured.Sum(c => c.Text.Length)} | {hits.Count} |

            Runs of the binary, by verb and exit code: {exits}.
            """, _clock.Elapsed, "SecretSweepTests.EveryVerbFormatHttpAnswerAndFile_HoldsThePasswordInNoEncoding");
        Assert.True(_captured.Count >= 40, $"{_captured.Count} outputs");
        Assert.Contains(_captured, c => c.Text.Contains("PASSWORD '***'", StringComparison.Ordinal));
        Assert.Contains(_captured, c => c.Name == "pgmedic activity (exit 0)" && c.Text.Contains("sweep-app", StringComparison.Ordinal));

        // The plain-text session was seen, masked, where it must be: each expectation names the output it looks in.
        var expected = new (string Output, string Text)[]
        {
            ("pgmedic activity", "app-***"),
            ("pgmedic activity", "the deploy used *** today"),
            ("pgmedic diagnose", "app-***"),
            ("pgmedic top", "app-***"),
            ("pgmedic terminate", "app-***"),
            ("GET /api/targets/sweep/snapshot (200)", "app-***"),
            ("GET /api/targets/sweep/snapshot (200)", "the deploy used *** today"),
            ("POST /api/targets/sweep/actions/heal (200)", "\"dryRun\""),
            ("serve audit log", "\"origin\":\"serve\""),
            ("pgmedic pools", "svc:***@"),
        };
        var missing = expected.Where(e => !_captured.Any(c => c.Name.StartsWith(e.Output, StringComparison.Ordinal) && c.Text.Contains(e.Text, StringComparison.Ordinal))).ToList();
        Assert.True(missing.Count == 0, "not seen: " + string.Join("; ", missing.Select(m => $"'{m.Text}' in {m.Output}")));
        Assert.Empty(hits);
    }

    private async Task ServeAsync(string conninfo, string poolEndpoint)
    {
        // emergency ended every session of the role: the monitor gets its own, and one to terminate.
        var target = _sandbox.TargetFor(Role, Password);
        await using var victim = await HeldConnections.OpenAsync(target, 1, "sweep-victim");
        await using var app = await HeldConnections.OpenAsync(target, 1, "sweep-app");
        await using var plain = await PlainSessionAsync(target);
        await using var receiver = new WebhookReceiver();
        await receiver.StartAsync();
        var webhook = new UriBuilder(receiver.Url) { UserName = "hook", Password = Password }.Uri;
        var history = Path.Combine(_work, "history.db");
        var config = Path.Combine(_work, "pgmedic.json");
        await File.WriteAllTextAsync(config, JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["pollInterval"] = "250ms",
            ["port"] = 0,
            ["history"] = new Dictionary<string, string> { ["path"] = history },
            ["auditLog"] = AuditLog,
            ["accessToken"] = Token,
            ["readOnly"] = false,
            ["actionRateLimit"] = new Dictionary<string, object> { ["permits"] = 4, ["window"] = "1m" },
            ["targets"] = new[] { new Dictionary<string, object> { ["name"] = "sweep", ["connection"] = conninfo, ["poolEndpoints"] = new[] { poolEndpoint } } },
            ["alerts"] = new Dictionary<string, object> { ["connectionSaturation"] = new Dictionary<string, object> { ["warningPercent"] = 1, ["criticalPercent"] = 99, ["for"] = "0s" } },
            ["webhooks"] = new[] { new Dictionary<string, string> { ["name"] = "ops", ["url"] = webhook.ToString(), ["format"] = "generic" } },
        }));
        await RunAsync(null, "export", "prometheus-rules", "--config", config);
        await RunAsync(null, "export", "grafana-dashboard");
        using (var serve = PgMedicProcess.Start("serve", "--config", config))
        {
            var address = await serve.WaitForAddressAsync(TimeSpan.FromSeconds(30));
            using var http = new HttpClient { BaseAddress = address };
            http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while ((receiver.Deliveries.IsEmpty || !(await http.GetStringAsync(new Uri("/api/targets/sweep/snapshot", UriKind.Relative))).Contains("sweep-app", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            foreach (var path in new[] { "/", "/health", "/health/sweep", "/metrics", "/api/targets", "/api/targets/sweep", "/api/targets/sweep/snapshot", "/api/targets/sweep/history?since=5m", "/api/targets/sweep/slow-queries", "/api/alerts", "/api/alerts/events", "/api/dashboard", "/api/incidents", "/api/nonexistent" })
            {
                using var response = await http.GetAsync(path);
                Capture($"GET {path} ({(int)response.StatusCode})", $"{response.Headers}{response.Content.Headers}{await response.Content.ReadAsStringAsync()}");
            }

            foreach (var id in JsonDocument.Parse(await http.GetStringAsync(new Uri("/api/incidents", UriKind.Relative))).RootElement.EnumerateArray().Select(i => i.GetProperty("id").GetInt64()))
            {
                await CaptureAsync(http, HttpMethod.Get, $"/api/incidents/{id}", null);
            }

            // Actions: heal as a dry run and executed, terminate one session; then the error answers.
            var victimPid = (await ServerState.PidsOfApplicationAsync(_sandbox, "sweep-victim"))[0];
            await CaptureAsync(http, HttpMethod.Post, "/api/targets/sweep/actions/heal", "{\"dryRun\": true}");
            await CaptureAsync(http, HttpMethod.Post, "/api/targets/sweep/actions/heal", "{\"dryRun\": false}");
            await CaptureAsync(http, HttpMethod.Post, $"/api/targets/sweep/actions/terminate/{victimPid}", "{}");
            var statuses = new List<int>
            {
                await CaptureAsync(http, HttpMethod.Post, "/api/targets/sweep/actions/heal", $"{{\"dryRun\": true, \"pad\": \"{new string('x', 70_000)}\"}}"),
                await CaptureAsync(http, HttpMethod.Post, "/api/targets/sweep/actions/heal", "{\"dryRun\": true}"),
                await CaptureAsync(http, HttpMethod.Get, "/api/targets/nobody/snapshot", null),
            };
            using (var anonymous = new HttpClient { BaseAddress = address })
            {
                statuses.Add(await CaptureAsync(anonymous, HttpMethod.Get, "/api/targets/sweep/snapshot", null));
            }

            Assert.Equal([413, 429, 404, 401], statuses);
            serve.Interrupt();
            await serve.WaitForExitAsync(TimeSpan.FromSeconds(20));
            Capture("serve stdout+stderr", serve.Output);
        }

        Assert.NotEmpty(receiver.Deliveries);
        foreach (var delivery in receiver.Deliveries)
        {
            Capture("webhook body", delivery.GetRawText());
        }

        foreach (var file in Directory.GetFiles(_work, "history.db*"))
        {
            Capture(Path.GetFileName(file), Encoding.Latin1.GetString(await File.ReadAllBytesAsync(file)));
        }
    }

    private async Task RunAsync(IReadOnlyDictionary<string, string>? environment, params string[] args)
    {
        using var run = PgMedicProcess.Start(environment, args);
        await run.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Capture($"pgmedic {args[0]} (exit {run.ExitCode})", run.Output);
    }

    private void Capture(string name, string text) => _captured.Add((name, text));

    /// <summary>
    /// A session whose application_name holds the password and whose last query has it as a literal, left idle
    /// in its transaction: so every view lists it, top's and the monitor's idle-in-transaction panes too.
    /// </summary>
    private static async Task<HeldConnections> PlainSessionAsync(Postgres.Targets.ConnectionTarget target)
    {
        var plain = await HeldConnections.OpenAsync(target, 1, PlainApplication);
        await plain.ExecuteOnEachAsync("BEGIN");
        await plain.ExecuteOnEachAsync($"SELECT 'the deploy used {Password} today' AS note");
        return plain;
    }

    /// <summary>One HTTP exchange captured whole (headers and body); returns its status.</summary>
    private async Task<int> CaptureAsync(HttpClient http, HttpMethod method, string path, string? json)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await http.SendAsync(request);
        Capture($"{method} {path.Split('?')[0]} ({(int)response.StatusCode})", $"{response.Headers}{response.Content.Headers}{await response.Content.ReadAsStringAsync()}");
        return (int)response.StatusCode;
    }

    /// <summary><c>pgmedic sandbox</c> until it is up, then Ctrl+C: what it prints, its own password aside, is swept too.</summary>
    private async Task SandboxAsync()
    {
        using var sandbox = PgMedicProcess.Start("sandbox", "--max-connections", "12");
        await sandbox.WaitForOutputAsync("Press Ctrl+C", TimeSpan.FromSeconds(60));
        sandbox.Interrupt();
        await sandbox.WaitForExitAsync(TimeSpan.FromSeconds(30));
        Capture($"pgmedic sandbox (exit {sandbox.ExitCode})", sandbox.Output);
    }
}
