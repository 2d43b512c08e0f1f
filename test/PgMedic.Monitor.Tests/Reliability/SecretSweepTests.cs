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
    private readonly string _work = Directory.CreateTempSubdirectory("pgmedic-sweep-").FullName;
    private readonly List<(string Name, string Text)> _captured = [];
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
        }

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
        Capture("audit.jsonl", await File.ReadAllTextAsync(AuditLog));

        var forms = Encodings(Role, Password);
        var exits = string.Join(", ", _captured.Where(c => c.Name.StartsWith("pgmedic ", StringComparison.Ordinal))
            .GroupBy(c => c.Name).Select(g => $"{g.Key.Replace("pgmedic ", string.Empty, StringComparison.Ordinal)} ×{g.Count()}"));
        var hits = _captured.SelectMany(c => forms.Where(f => c.Text.Contains(f, StringComparison.Ordinal)).Select(f => $"{c.Name}: '{f}'")).ToList();
        ReliabilityRecord.Write("1-secret-sweep", $"""
            ## Secret sweep

            | password | encodings searched | outputs scanned | bytes scanned | hits |
            |---|---|---|---|---|
            | `{Password}` (target URL, conninfo, PGPASSWORD, ALTER ROLE … PASSWORD, dblink conninfo, hook command lines and output, pool endpoint and webhook userinfo) | {forms.Count} distinct forms (raw, percent-encoded upper/lower/every byte, form-encoded, SQL-quoted, JSON-escaped, base64, Basic auth) | {_captured.Count} (every verb's stdout+stderr in table/json/markdown, serve's HTTP answers, SQLite history, webhook bodies, audit log, report) | {_captured.Sum(c => c.Text.Length)} | {hits.Count} |

            Runs of the binary, by verb and exit code: {exits}.
            """);
        Assert.True(_captured.Count >= 40, $"{_captured.Count} outputs");
        Assert.Contains(_captured, c => c.Text.Contains("PASSWORD '***'", StringComparison.Ordinal));
        Assert.Contains(_captured, c => c.Name == "pgmedic activity (exit 0)" && c.Text.Contains("sweep-app", StringComparison.Ordinal));
        Assert.Contains(_captured, c => c.Name.StartsWith("pgmedic emergency", StringComparison.Ordinal) && c.Text.Contains("seen ***", StringComparison.Ordinal));
        Assert.Empty(hits);
    }

    private async Task ServeAsync(string conninfo, string poolEndpoint)
    {
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
            ["targets"] = new[] { new Dictionary<string, object> { ["name"] = "sweep", ["connection"] = conninfo, ["poolEndpoints"] = new[] { poolEndpoint } } },
            ["alerts"] = new Dictionary<string, object> { ["connectionSaturation"] = new Dictionary<string, object> { ["warningPercent"] = 1, ["criticalPercent"] = 99, ["for"] = "0s" } },
            ["webhooks"] = new[] { new Dictionary<string, string> { ["name"] = "ops", ["url"] = webhook.ToString(), ["format"] = "generic" } },
        }));
        using (var serve = PgMedicProcess.Start("serve", "--config", config))
        {
            var address = await serve.WaitForAddressAsync(TimeSpan.FromSeconds(30));
            using var http = new HttpClient { BaseAddress = address };
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
            while (receiver.Deliveries.IsEmpty && DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }

            foreach (var path in new[] { "/", "/health", "/health/sweep", "/metrics", "/api/targets", "/api/targets/sweep", "/api/targets/sweep/snapshot", "/api/targets/sweep/history?since=5m", "/api/targets/sweep/slow-queries", "/api/alerts", "/api/alerts/events", "/api/dashboard", "/api/incidents", "/api/nonexistent" })
            {
                using var response = await http.GetAsync(path);
                Capture($"GET {path} ({(int)response.StatusCode})", $"{response.Headers}{response.Content.Headers}{await response.Content.ReadAsStringAsync()}");
            }

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
}
