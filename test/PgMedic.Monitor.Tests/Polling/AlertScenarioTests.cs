using System.Net;
using System.Net.Http.Headers;
using PgMedic.Core.Alerts;
using PgMedic.Testing;
using static PgMedic.Monitor.Tests.RunningMonitor;

namespace PgMedic.Monitor.Tests.Polling;

/// <summary>The runbook's alerts on a real server: saturation at 80 / 90 % of usable slots, and database-connection-failure.</summary>
[Collection(MonitorCollection.Name)]
public sealed class AlertScenarioTests(MonitorSandbox fixture)
{
    [Fact]
    public async Task Saturation_FillingTo88ThenTo92Percent_FiresWarningThenCriticalAndReleasingResolvesBoth()
    {
        var sandbox = fixture.Sandbox;
        await Stragglers.ClearAsync(sandbox, nameof(Saturation_FillingTo88ThenTo92Percent_FiresWarningThenCriticalAndReleasingResolvesBoth));
        await using var monitor = await StartAsync(sandbox.SuperuserTarget);
        // 21 held and the monitor's lifeline: 22 of 25.
        await using var held = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 21, "filler");
        await monitor.WaitForAlertsAsync(a => Firing(a, AlertNames.ConnectionSaturation, "warning"), "the 80 % warning at 88 %");
        Assert.False(Firing((await monitor.GetJsonAsync("/api/alerts")).EnumerateArray().ToList(), AlertNames.ConnectionSaturation, "critical"));

        await held.AddAsync(sandbox.SuperuserTarget, 1, "filler");
        await monitor.WaitForAlertsAsync(a => Firing(a, AlertNames.ConnectionSaturation, "critical"), "the 90 % critical at 92 %");

        await held.DisposeAsync();
        await monitor.WaitForAlertsAsync(a => !a.Any(x => x.GetProperty("alert").GetString() == AlertNames.ConnectionSaturation), "both saturation alerts resolved");
        var events = (await monitor.GetJsonAsync("/api/alerts/events")).EnumerateArray()
            .Where(e => e.GetProperty("alert").GetString() == AlertNames.ConnectionSaturation && e.GetProperty("state").GetString() != "pending")
            .Select(e => $"{e.GetProperty("severity").GetString()} {e.GetProperty("state").GetString()}")
            .Order()
            .ToList();
        Assert.Equal(["critical firing", "critical resolved", "warning firing", "warning resolved"], events);

        // The incident snapshot taken when the warning fired holds the sessions of that moment: at least the
        // 20 of 25 usable slots that crossed 80 %, the lifeline one of them (the fillers may still have been opening the rest).
        var incidents = (await monitor.GetJsonAsync("/api/incidents")).EnumerateArray().ToList();
        var warning = incidents.First(i => i.GetProperty("alert").GetString() == AlertNames.ConnectionSaturation && i.GetProperty("severity").GetString() == "warning");
        var incident = await monitor.GetJsonAsync($"/api/incidents/{warning.GetProperty("id").GetInt64()}");
        Assert.True(incident.GetProperty("snapshot").GetProperty("sessions").EnumerateArray().Count(s => s.GetProperty("application").GetString() == "filler") >= 19);
    }

    [Fact]
    public async Task DatabaseConnectionFailure_ServerStopped_FiresAfterItsWindowHealthTurns503AndRestartResolves()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var sandbox = fixture.Sandbox;
        var window = TimeSpan.FromSeconds(1.5);
        await using var monitor = await StartAsync(sandbox.SuperuserTarget, o => o with
        {
            Alerts = o.Alerts with { DatabaseConnectionFailure = new FailureRuleOptions { Window = window, For = window } },
            Targets = [o.Targets[0] with { Alerts = o.Targets[0].Alerts with { DatabaseConnectionFailure = new FailureRuleOptions { Window = window, For = window } } }],
        });
        await monitor.WaitForFirstPollAsync();
        using (var healthy = await monitor.Http.GetAsync(new Uri("/health", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, healthy.StatusCode);
            Assert.Contains("\"status\":\"healthy\",\"database\":\"connected\"", await healthy.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        // Measured from the start of the shutdown: the server refuses connections before pg_ctl returns.
        var down = System.Diagnostics.Stopwatch.StartNew();
        await sandbox.StopServerAsync();
        TimeSpan fired;
        var restarted = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            await monitor.WaitForAlertsAsync(a => Firing(a, AlertNames.DatabaseConnectionFailure, "critical"), "database-connection-failure");
            fired = down.Elapsed;
            Assert.True(down.Elapsed >= window, $"fired {down.Elapsed} after the server began to stop, before its {window} window");
            using var health = await monitor.Http.GetAsync(new Uri("/health", UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
            Assert.Contains("\"database\":\"disconnected\"", await health.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
        finally
        {
            await sandbox.StartServerAsync();
            restarted.Restart();
        }

        await monitor.WaitForAlertsAsync(a => !a.Any(x => x.GetProperty("alert").GetString() == AlertNames.DatabaseConnectionFailure), "database-connection-failure resolved");
        ReliabilityRecord.Fault(
            "server stopped (pg_ctl stop) then started while `serve` polls (failure window 1.5 s)",
            $"database-connection-failure critical fired {fired.TotalSeconds:0.0} s after the stop began, /health 503 \"disconnected\"; resolved {restarted.Elapsed.TotalSeconds:0.0} s after the restart, the lifeline reconnected",
            "AlertScenarioTests.DatabaseConnectionFailure_ServerStopped_FiresAfterItsWindowHealthTurns503AndRestartResolves",
            clock.Elapsed);
        using var up = await monitor.Http.GetAsync(new Uri("/health/main", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, up.StatusCode);
        var target = (await monitor.GetJsonAsync("/api/targets/main"));
        Assert.True(target.GetProperty("lifeline").GetBoolean(), "the lifeline reconnected after the restart");
    }

    [Fact]
    public async Task AccessToken_Configured_GuardsEverythingButHealthAndNeverShowsThePassword()
    {
        var sandbox = fixture.Sandbox;
        const string token = "test-token-0123456789";
        await using var monitor = await StartAsync(sandbox.SuperuserTarget, o => o with { AccessToken = token, ReadOnly = false });
        await monitor.Http.GetAsync(new Uri("/health", UriKind.Relative));
        await Task.Delay(800);
        foreach (var path in new[] { "/api/targets", "/metrics", "/", "/api/targets/main/snapshot" })
        {
            using var anonymous = await monitor.Http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }

        using (var health = await monitor.Http.GetAsync(new Uri("/health", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        monitor.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        foreach (var path in new[] { "/api/targets", "/metrics", "/", "/api/targets/main/snapshot", "/api/targets/main/history", "/health", "/api/alerts/events" })
        {
            using var response = await monitor.Http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.DoesNotContain(sandbox.SuperuserPassword, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Contains("postgres://postgres:***@", (await monitor.GetJsonAsync("/api/targets")).ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TerminateAction_ReadOnlyByDefault_RefusesAndWhenEnabledTerminatesOverTheLifeline()
    {
        var sandbox = fixture.Sandbox;
        var role = $"worker_{Guid.NewGuid():N}"[..20];
        var worker = await sandbox.CreateRoleAsync(role, "worker-password");
        await using var held = await HeldConnections.OpenAsync(worker, 1, "stuck-worker");
        await held.ExecuteOnEachAsync("BEGIN; SELECT 1");
        var pid = held.Pids[0];
        await using (var readOnly = await StartAsync(sandbox.SuperuserTarget))
        {
            using var refused = await readOnly.Http.PostAsync(new Uri($"/api/targets/main/actions/terminate/{pid}", UriKind.Relative), null);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        }

        const string token = "action-token-0123456789";
        await using var monitor = await StartAsync(sandbox.SuperuserTarget, o => o with { AccessToken = token, ReadOnly = false });
        using (var noToken = await monitor.Http.PostAsync(new Uri($"/api/targets/main/actions/terminate/{pid}", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
        }

        monitor.Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var done = await monitor.Http.PostAsync(new Uri($"/api/targets/main/actions/terminate/{pid}", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);
        Assert.Contains("\"result\":\"terminated\"", await done.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await ServerState.WaitUntilGoneAsync(sandbox, [pid]);
        Assert.Contains("action-finished", await File.ReadAllTextAsync(monitor.Options.AuditLogPath!), StringComparison.Ordinal);
    }
}
