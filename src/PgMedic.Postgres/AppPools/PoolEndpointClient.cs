using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using PgMedic.Core.Diagnosis;
using PgMedic.Shared;

namespace PgMedic.Postgres.AppPools;

/// <summary>Reads a service's <c>/health/pool</c> — PgMedic.Guard's or pgmedic-sqlalchemy's (docs/pool-endpoint.md) — into an <see cref="AppPool"/>.</summary>
public static class PoolEndpointClient
{
    /// <returns>The pool, or an <see cref="AppPool"/> whose <c>Error</c> says why it could not be read: a service that is down must not stop a diagnosis.</returns>
    public static async Task<AppPool> ReadAsync(HttpClient http, Uri endpoint, string? token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoint);
        // Shown anywhere (diagnose, pools, the monitor's API) without the credentials a URL may carry.
        var shown = UrlUserInfo.Mask(endpoint.ToString());
        var service = UrlUserInfo.Mask(endpoint.GetLeftPart(UriPartial.Authority));
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, endpoint);
            if (!string.IsNullOrEmpty(token))
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return AppPool.Unreadable(shown, $"{(int)response.StatusCode} {response.ReasonPhrase}{((int)response.StatusCode == 403 ? ": pass --pool-token, or read it from the service's own host" : string.Empty)}");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var document = await JsonSerializer.DeserializeAsync(body, PoolEndpointJsonContext.Default.PoolDocument, cancellationToken).ConfigureAwait(false);
            if (document?.Pool is not { } pool)
            {
                return AppPool.Unreadable(shown, "the response is not a /health/pool document (docs/pool-endpoint.md)");
            }

            var holders = (document.Holders ?? [])
                .Select(h => new AppHolder(service, h.BackendPid ?? 0, new AppCallSite(h.CallSite?.File ?? "?", h.CallSite?.Line ?? 0, h.CallSite?.Member ?? "?"), h.AgeSeconds, h.Leaked) { State = h.State })
                .ToList();
            return new AppPool(shown, pool.Name, pool.PoolSize, pool.MaxConnections, pool.CheckedOut, pool.Idle, pool.Waiting, pool.Timeouts, pool.Leaks, holders, null)
            {
                Overflow = pool.Overflow,
                Checkouts = pool.Checkouts,
                ConnectFailures = pool.ConnectFailures,
                Process = ProcessOf(document.Process),
                Instances = Instances(document, shown),
            };
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return AppPool.Unreadable(shown, ex.Message.ReplaceLineEndings(" "));
        }
    }

    // Read leniently: a start time in an unexpected shape must not make the whole document unreadable.
    private static DateTimeOffset? StartedAt(PoolProcess? process) =>
        DateTimeOffset.TryParse(process?.StartedAt, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind, out var at) ? at : null;

    private static string? ProcessOf(PoolProcess? process) => process is { Pid: > 0 } p ? $"{p.Pid}@{p.Hostname}" : null;

    /// <summary>Each worker's own counters in an aggregated document, else the document's: the processes whose counters restart independently.</summary>
    private static IReadOnlyList<PoolInstance> Instances(PoolDocument document, string endpoint)
    {
        var parts = document.Workers is { Count: > 0 } workers
            ? workers.Select(w => (w.Pool, w.Process))
            : [(document.Pool, document.Process)];
        return parts
            .Where(p => p.Pool?.Checkouts is not null)
            .Select(p => new PoolInstance(ProcessOf(p.Process) ?? endpoint, p.Pool!.Name, p.Pool.Checkouts!.Value, p.Pool.Timeouts, p.Pool.ConnectFailures ?? 0, StartedAt(p.Process)))
            .ToList();
    }
}

internal sealed record PoolDocument(PoolStatistics? Pool, double LeakThresholdSeconds, IReadOnlyList<PoolHolder>? Holders, PoolProcess? Process, IReadOnlyList<PoolWorker>? Workers);

internal sealed record PoolWorker(PoolStatistics? Pool, PoolProcess? Process);

internal sealed record PoolStatistics(string? Name, int? PoolSize, int? MaxConnections, int CheckedOut, int? Overflow, int? Idle, int? Waiting, long Timeouts, long Leaks, long? Checkouts, long? ConnectFailures);

internal sealed record PoolHolder(int? BackendPid, PoolCallSite? CallSite, double AgeSeconds, bool Leaked, string? State);

internal sealed record PoolProcess(int Pid, string? Hostname, string? StartedAt);

internal sealed record PoolCallSite(string? File, int Line, string? Member);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PoolDocument))]
internal sealed partial class PoolEndpointJsonContext : JsonSerializerContext;
