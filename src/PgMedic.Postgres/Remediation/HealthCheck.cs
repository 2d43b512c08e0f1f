using System.Diagnostics;
using System.Text.Json;

namespace PgMedic.Postgres.Remediation;

/// <summary>One URL's answer: healthy only with a 2xx and the runbook's <c>{"status": "healthy", "database": "connected"}</c>.</summary>
/// <param name="Url">With any user name, password and query left out: health URLs often carry a token.</param>
/// <param name="Status">The last HTTP status, or null when nothing answered.</param>
/// <param name="Body">The last answer, shortened: what a person would read to see why.</param>
public sealed record HealthCheckResult(string Url, bool Healthy, int? HttpStatus, string Body, int Attempts, double ElapsedMilliseconds);

/// <summary>Polls the application's health URLs until each answers healthy or the deadline passes (runbook Verification 3).</summary>
public static class HealthCheck
{
    private const int MaxBody = 200;

    public static async Task<HealthCheckResult> WaitAsync(HttpClient client, Uri url, TimeSpan deadline, TimeSpan interval, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(url);
        ArgumentNullException.ThrowIfNull(time);
        var stopwatch = Stopwatch.StartNew();
        var attempts = 0;
        int? status = null;
        var body = string.Empty;
        while (true)
        {
            attempts++;
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(interval > TimeSpan.FromSeconds(5) ? interval : TimeSpan.FromSeconds(5));
            try
            {
                using var response = await client.GetAsync(url, attempt.Token).ConfigureAwait(false);
                status = (int)response.StatusCode;
                var text = await response.Content.ReadAsStringAsync(attempt.Token).ConfigureAwait(false);
                body = Summary(text);
                if (response.IsSuccessStatusCode && SaysHealthy(text))
                {
                    return new HealthCheckResult(Masked(url), true, status, body, attempts, stopwatch.Elapsed.TotalMilliseconds);
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                status = null;
                body = Summary(ex is OperationCanceledException ? "no answer in time" : ex.Message);
            }

            if (stopwatch.Elapsed + interval > deadline)
            {
                return new HealthCheckResult(Masked(url), false, status, body, attempts, stopwatch.Elapsed.TotalMilliseconds);
            }

            await Task.Delay(interval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The URL as it may be shown and recorded: scheme, host, port and path only.</summary>
    public static string Masked(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return url.GetLeftPart(UriPartial.Path).Replace(url.UserInfo + "@", string.Empty, StringComparison.Ordinal);
    }

    private static bool SaysHealthy(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String && s.GetString() == "healthy"
                && root.TryGetProperty("database", out var d) && d.ValueKind == JsonValueKind.String && d.GetString() == "connected";
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static string Summary(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= MaxBody ? line : line[..MaxBody] + "…";
    }
}
