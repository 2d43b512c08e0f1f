using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using PgMedic.Core.Diagnosis;

namespace PgMedic.Postgres.AppPools;

/// <summary>Reads a service's PgMedic.Guard <c>/health/pool</c> (docs/guard.md) into an <see cref="AppPool"/>.</summary>
public static class PoolEndpointClient
{
    /// <returns>The pool, or an <see cref="AppPool"/> whose <c>Error</c> says why it could not be read: a service that is down must not stop a diagnosis.</returns>
    public static async Task<AppPool> ReadAsync(HttpClient http, Uri endpoint, string? token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(endpoint);
        var service = endpoint.GetLeftPart(UriPartial.Authority);
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
                return AppPool.Unreadable(endpoint.ToString(), $"{(int)response.StatusCode} {response.ReasonPhrase}{((int)response.StatusCode == 403 ? ": pass --pool-token, or read it from the service's own host" : string.Empty)}");
            }

            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            var document = await JsonSerializer.DeserializeAsync(body, PoolEndpointJsonContext.Default.PoolDocument, cancellationToken).ConfigureAwait(false);
            if (document?.Pool is not { } pool)
            {
                return AppPool.Unreadable(endpoint.ToString(), "the response is not a PgMedic.Guard /health/pool document");
            }

            var holders = (document.Holders ?? [])
                .Select(h => new AppHolder(service, h.BackendPid, new AppCallSite(h.CallSite?.File ?? "?", h.CallSite?.Line ?? 0, h.CallSite?.Member ?? "?"), h.AgeSeconds, h.Leaked))
                .ToList();
            return new AppPool(endpoint.ToString(), pool.Name, pool.PoolSize, pool.MaxConnections, pool.CheckedOut, pool.Idle, pool.Waiting, pool.Timeouts, pool.Leaks, holders, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return AppPool.Unreadable(endpoint.ToString(), ex.Message.ReplaceLineEndings(" "));
        }
    }
}

internal sealed record PoolDocument(PoolStatistics? Pool, double LeakThresholdSeconds, IReadOnlyList<PoolHolder>? Holders);

internal sealed record PoolStatistics(string? Name, int PoolSize, int MaxConnections, int CheckedOut, int Idle, int Waiting, long Timeouts, long Leaks);

internal sealed record PoolHolder(int BackendPid, PoolCallSite? CallSite, double AgeSeconds, bool Leaked);

internal sealed record PoolCallSite(string? File, int Line, string? Member);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PoolDocument))]
internal sealed partial class PoolEndpointJsonContext : JsonSerializerContext;
