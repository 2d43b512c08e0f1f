using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using PgMedic.Monitor.Api;
using PgMedic.Monitor.Configuration;
using PgMedic.Monitor.Dashboard;
using PgMedic.Monitor.History;
using PgMedic.Monitor.Metrics;
using PgMedic.Monitor.Notifications;
using PgMedic.Monitor.Polling;
using PgMedic.Monitor.Probe;

namespace PgMedic.Monitor;

/// <summary>Settings of the process around the monitor (not of what it monitors).</summary>
public sealed record MonitorHostSettings
{
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public LogLevel MinimumLogLevel { get; init; } = LogLevel.Information;

    /// <summary>The OTLP endpoint (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>); metrics are also pushed there when set.</summary>
    public string? OtlpEndpoint { get; init; }

    public TextWriter? Log { get; init; }
}

/// <summary><c>pgmedic serve</c> as an ASP.NET Core application: a short composition root, features in their folders.</summary>
public static class MonitorHost
{
    /// <exception cref="HistoryStoreException">The PostgreSQL history (<c>history.connection</c>) cannot be opened or migrated.</exception>
    public static WebApplication Build(MonitorOptions options, MonitorHostSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        settings ??= new MonitorHostSettings();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = "pgmedic", ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(options.Listen == "localhost" ? IPAddress.Loopback : IPAddress.Parse(options.Listen), options.Port);
            kestrel.Limits.MaxRequestBodySize = HttpHardening.MaxRequestBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 16 * 1024;
            kestrel.AddServerHeader = false;
        });
        builder.Logging.ClearProviders().SetMinimumLevel(settings.MinimumLogLevel)
            .AddFilter("Microsoft", LogLevel.Warning)

            // A port clash is said in one line by the door; the host would log it again with a stack trace.
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.None)
            .AddFilter("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Critical)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            .AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        var services = builder.Services;
        services.AddSingleton(options);
        services.AddSingleton(settings.Time);
        // Opened here, not on first use: an unreachable history database is said at start-up, in one line.
        IHistoryStore store = options.HistoryConnection is { } history
            ? PostgresHistoryStore.Open(history, options.Shard.Index, settings.Time)
            : new SqliteHistoryStore(options.HistoryPath);
        services.AddSingleton(store);
        services.AddSingleton(new MonitorState(options));
        services.AddSingleton<WebhookComposer>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<SlowQueryCache>();
        services.AddSingleton<PollingService>();
        services.AddHostedService(sp => sp.GetRequiredService<PollingService>());
        services.AddHostedService<WebhookDispatcher>();
        if (options.TargetDirectory is { } directory)
        {
            services.AddSingleton(new Targets.TargetDirectory(directory, TargetDefaults.From(options), options.TargetEnvironment, options.HomeDirectory));
            services.AddHostedService<Targets.TargetWatcher>();
        }

        services.AddProblemDetails();
        services.AddHttpHardening(options);
        services.ConfigureHttpJsonOptions(json =>
        {
            Core.Common.JsonDialect.Apply(json.SerializerOptions);
            json.SerializerOptions.TypeInfoResolverChain.Insert(0, MonitorJsonContext.Default);
        });
        if (!string.IsNullOrEmpty(settings.OtlpEndpoint))
        {
            services.AddSingleton<MonitorMetrics>();
            services.AddOpenTelemetry()
                .ConfigureResource(resource => resource.AddService("pgmedic"))
                .WithMetrics(metrics => metrics.AddMeter(MonitorMetrics.MeterName).AddOtlpExporter(otlp => otlp.Endpoint = new Uri(settings.OtlpEndpoint)));
        }

        var app = builder.Build();
        // Resolved here so that its instruments exist before the first OTLP export (only registered with an endpoint).
        app.Services.GetService<MonitorMetrics>();
        app.UseHttpHardening(options);
        app.UseAccessToken(options.AccessToken);
        app.MapHealthApi();
        app.MapMonitorApi();
        app.MapHistoryApi();
        app.MapActionsApi();
        app.MapDashboard();
        app.MapMetricsApi();
        app.MapProbeApi();
        return app;
    }

    /// <summary>The address the started monitor is bound to, as it is: <c>http://0.0.0.0:9733/</c> means every interface.</summary>
    public static Uri BoundAddress(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        return new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
    }

    /// <summary>An address a client on this machine reaches the started monitor at (with the port picked when 0 was asked for).</summary>
    public static Uri Address(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "[::1]", StringComparison.Ordinal));
    }
}
