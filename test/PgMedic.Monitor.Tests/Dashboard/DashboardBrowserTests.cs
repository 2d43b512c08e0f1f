using Microsoft.Playwright;
using PgMedic.Core.Alerts;
using PgMedic.Monitor.Tests.Polling;
using PgMedic.Testing;

namespace PgMedic.Monitor.Tests.Dashboard;

/// <summary>The dashboard in real headless Chromium (Debian's), driven by Playwright for .NET.</summary>
[Collection(MonitorCollection.Name)]
public sealed class DashboardBrowserTests(MonitorSandbox fixture)
{
    [Fact]
    public async Task Dashboard_InducedSaturation_DrawsSandboxPointsAndShowsTheAlert()
    {
        var chromium = ToolPaths.Require("/usr/bin/chromium", "chromium");
        var sandbox = fixture.Sandbox;
        await using var monitor = await RunningMonitor.StartAsync(sandbox.SuperuserTarget, name: "shop");
        await using var held = await HeldConnections.OpenAsync(sandbox.SuperuserTarget, 14, "shop-api");
        // 21 held and the monitor's lifeline: 22 of 25, 88 %.
        await held.AddAsync(sandbox.SuperuserTarget, 7, "billing-worker");
        await monitor.WaitForAlertsAsync(a => RunningMonitor.Firing(a, AlertNames.ConnectionSaturation, "warning"), "the warning the page must show");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright, chromium);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1500 } });
        await page.GotoAsync(monitor.Address.ToString());

        await page.Locator("#alerts").GetByText(AlertNames.ConnectionSaturation).First.WaitForAsync(new LocatorWaitForOptions { Timeout = 15000 });
        await page.WaitForFunctionAsync(
            "() => { const c = Chart.getChart('usage-chart'); return !!c && c.data.datasets.some(d => d.label === 'idle' && d.data.some(p => p.y >= 21)) && c.getDatasetMeta(1).data.length > 0; }",
            null,
            new PageWaitForFunctionOptions { Timeout = 15000 });
        var drawn = await page.EvaluateAsync<int>("() => Chart.getChart('usage-chart').getDatasetMeta(1).data.filter(p => Number.isFinite(p.x) && Number.isFinite(p.y)).length");
        Assert.True(drawn > 0, "the usage chart drew no points");

        // The history's times are ISO-8601 strings: the chart places the newest point at the browser's now, not in 1970.
        var newest = await page.EvaluateAsync<double>("() => Date.now() - Math.max(...Chart.getChart('usage-chart').data.datasets[1].data.map(p => p.x))");
        Assert.InRange(newest, -5_000, 30_000);
        Assert.Contains("shop-api", await page.Locator("#applications").InnerTextAsync(), StringComparison.Ordinal);
        // 22 of 25 usable slots at least (the fillers and the lifeline; a session of an earlier test may still be closing): a whole slot is 4 %.
        var card = System.Text.RegularExpressions.Regex.Match(await page.Locator("#card-shop .value").InnerTextAsync(), @"(\d+\.\d) %");
        Assert.True(card.Success, "the card shows no percentage");
        var percent = double.Parse(card.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(percent, 88.0, 100.0);
        Assert.Equal(0, Math.Round(percent * 10) % 40);
        Assert.DoesNotContain(sandbox.SuperuserPassword, await page.ContentAsync(), StringComparison.Ordinal);

        var output = Path.Combine(BuildOutput.RepositoryRoot(), "test-output");
        Directory.CreateDirectory(output);
        await page.WaitForTimeoutAsync(600);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(output, "dashboard.png"), FullPage = true });
        Assert.True(new FileInfo(Path.Combine(output, "dashboard.png")).Length > 10_000);
    }

    [Fact]
    public async Task Dashboard_ServiceCheckoutsTimingOutWhileTheProbeSucceeds_ShowsBothSignalsAndWhichTrippedTheAlert()
    {
        var chromium = ToolPaths.Require("/usr/bin/chromium", "chromium");
        var sandbox = fixture.Sandbox;
        await using var service = await GuardedShopService.StartAsync(sandbox.SuperuserTarget);
        var failure = new FailureRuleOptions { Window = TimeSpan.FromSeconds(3), For = TimeSpan.Zero };
        await using var monitor = await RunningMonitor.StartAsync(sandbox.SuperuserTarget, o => o with
        {
            Alerts = o.Alerts with { DatabaseConnectionFailure = failure },
            Targets = [o.Targets[0] with { PoolEndpoints = [service.PoolEndpoint], Alerts = o.Targets[0].Alerts with { DatabaseConnectionFailure = failure } }],
        }, name: "shop");
        await service.RunFailingLoadAsync();
        await monitor.WaitForAlertsAsync(a => RunningMonitor.Firing(a, AlertNames.DatabaseConnectionFailure, "critical"), "the alert the page must show");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await LaunchAsync(playwright, chromium);
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1100 } });
        await page.GotoAsync(monitor.Address.ToString());

        await page.Locator("#alerts").GetByText($"{AlertNames.DatabaseConnectionFailure} [application]").WaitForAsync(new LocatorWaitForOptions { Timeout = 15000 });
        var signals = page.Locator("#failure-signals");
        await signals.Locator("[data-signal=application].tripped").WaitForAsync(new LocatorWaitForOptions { Timeout = 15000 });
        var application = await signals.Locator("[data-signal=application]").InnerTextAsync();
        Assert.Matches(@"^application (1[5-9]|2[0-5])\.\d %$", application);
        Assert.Equal("probe 0.0 %", await signals.Locator("[data-signal=probe]").InnerTextAsync());
        Assert.Equal(0, await signals.Locator("[data-signal=probe].tripped").CountAsync());
        await page.WaitForFunctionAsync(
            "() => { const c = Chart.getChart('failure-chart'); return !!c && c.data.datasets.some(d => d.label === 'application %' && d.data.some(p => p.y >= 15)); }",
            null,
            new PageWaitForFunctionOptions { Timeout = 15000 });
        await service.Load.StopAsync();

        var output = Path.Combine(BuildOutput.RepositoryRoot(), "test-output");
        Directory.CreateDirectory(output);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(output, "dashboard-application-failures.png"), FullPage = true });
    }

    internal static Task<IBrowser> LaunchAsync(IPlaywright playwright, string chromium) =>
        playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
}
