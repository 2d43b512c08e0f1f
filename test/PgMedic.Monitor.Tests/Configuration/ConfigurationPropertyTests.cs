using CsCheck;
using Microsoft.Extensions.Configuration;
using PgMedic.Monitor.Configuration;

namespace PgMedic.Monitor.Tests.Configuration;

/// <summary>The configuration reader on generated settings: a valid configuration or a <see cref="MonitorConfigException"/> listing errors, never another exception.</summary>
public sealed class ConfigurationPropertyTests
{
    public const int Iterations = 5_000;

    private static readonly string[] Keys =
    [
        "pollInterval", "timeout", "listen", "port", "accessToken", "readOnly", "allowedHosts:0", "allowUnauthenticatedNetwork",
        "actionRateLimit:permits", "actionRateLimit:window", "history:path", "history:retention", "auditLog",
        "targets:0:name", "targets:0:connection", "targets:0:thresholds:warningPercent", "targets:0:thresholds:criticalPercent",
        "targets:0:thresholds:idleFor", "targets:0:poolEndpoints:0", "targets:0:heal:idleFor", "targets:0:guardrails:maxActions",
        "targets:0:guardrails:databases:0", "targets:0:guardrails:allDatabases", "targets:1:name", "targets:1:connection",
        "alerts:connectionSaturation:warningPercent", "alerts:connectionSaturation:criticalPercent", "alerts:databaseConnectionFailure:ratio",
        "alerts:databaseConnectionFailure:window", "alerts:leakGrowth:samples", "alerts:exhaustionForecast:horizon",
        "webhooks:0:url", "webhooks:0:format", "webhooks:0:headers:X", "delivery:initialBackoff", "delivery:maxBackoff",
        "slo:objective", "slo:window", "targets:0:slo:objective", "targets:0:slo:window", "alerts:sloBurnRate:for",
        "sessionHistory:interval", "sessionHistory:topSessions", "sessionHistory:downsampleAfter", "sessionHistory:retention", "targets:0:sessionHistory:interval",
    ];

    private static readonly Gen<string> Value = Gen.OneOf(
        Gen.OneOf("5s", "0", "-1", "99999999999999999999", "1e309", "NaN", "true", "false", "", " ", "150", "0.5", "5s5s", "1h30m",
            "0.0.0.0", "localhost", "::1", "postgres://monitor:pw@db/shop", "host=db port=x", "http://svc:pw@h/health/pool", "slack", "teams"),
        Gen.Char["0123456789.-:/@%smhd abc"].Array[0, 20].Select(c => new string(c)));

    [Fact]
    public void AnySettings_ReadOrRefusedWithErrors_NeverAnotherException() =>
        Gen.Select(Gen.Int[0, Keys.Length - 1], Value).Array[1, 12].Sample(pairs =>
        {
            var settings = pairs.Select(p => KeyValuePair.Create(Keys[p.Item1], (string?)p.Item2)).DistinctBy(p => p.Key).ToList();
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
            try
            {
                MonitorConfigReader.Read(configuration, _ => null, null);
            }
            catch (MonitorConfigException ex)
            {
                Assert.NotEmpty(ex.Errors);
                Assert.All(ex.Errors, e => Assert.DoesNotContain("pw@", e, StringComparison.Ordinal));
            }
        }, iter: Iterations);
}
