using System.CommandLine;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using PgMedic.Cli.Common;
using PgMedic.Cli.Output;
using PgMedic.Core.Capacity;
using PgMedic.Core.Reporting;
using PgMedic.Core.SessionHistory;
using PgMedic.Core.Slo;
using PgMedic.Monitor.Api;
using PgMedic.Monitor.History;

namespace PgMedic.Cli.History;

/// <summary>
/// Where <c>slo</c>, <c>history</c>, <c>report --history</c> and <c>advise --history</c> read the monitor's
/// history: its file (<c>--history FILE</c>, read directly, also while the monitor runs) or the running
/// monitor's API (<c>--monitor URL</c>, the default <c>http://127.0.0.1:9733</c>), which also holds what is
/// still in memory (exact per-poll attempts, the current minute's session samples).
/// </summary>
internal abstract class HistorySource : IAsyncDisposable
{
    public static readonly Uri DefaultMonitor = new("http://127.0.0.1:9733/");

    /// <summary>Where the history is read, as the output names it.</summary>
    public abstract string Location { get; }

    public static HistorySource Open(HistoryOptions options, System.CommandLine.ParseResult parseResult, CliContext context)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(parseResult);
        ArgumentNullException.ThrowIfNull(context);
        var file = parseResult.GetValue(options.File);
        var monitor = parseResult.GetValue(options.Monitor);
        if (file is not null && monitor is not null)
        {
            throw new UsageException("--history and --monitor exclude each other: read the monitor's file or ask the running monitor, not both");
        }

        if (file is not null)
        {
            var full = Path.GetFullPath(file);
            if (!File.Exists(full))
            {
                throw new UsageException($"no history file at '{file}': pass the monitor's history.path (pgmedic serve prints it at start-up), or --monitor URL");
            }

            return new FileSource(full, context.Time);
        }

        var address = monitor ?? DefaultMonitor.ToString();
        if (!Uri.TryCreate(address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new UsageException($"--monitor '{address}' is not an http(s) URL of a running pgmedic serve, e.g. http://127.0.0.1:9733");
        }

        return new ApiSource(uri, parseResult.GetValue(options.Token) ?? context.Environment("PGMEDIC_accessToken"));
    }

    /// <summary>The monitored target to answer for: the one named, or the only one there is.</summary>
    public async Task<string> TargetAsync(string? name, CancellationToken cancellationToken)
    {
        var names = await TargetsAsync(cancellationToken).ConfigureAwait(false);
        if (name is not null)
        {
            return names.Contains(name, StringComparer.Ordinal)
                ? name
                : throw new UsageException($"{Location} has no target '{name}': {(names.Count == 0 ? "it has none" : "it has " + string.Join(", ", names))}");
        }

        return names.Count == 1 ? names[0]
            : throw new UsageException(names.Count == 0 ? $"{Location} has no target yet" : $"{Location} has {names.Count} targets: name one ({string.Join(", ", names)})");
    }

    public abstract Task<IReadOnlyList<string>> TargetsAsync(CancellationToken cancellationToken);

    public abstract Task<SloView> SloAsync(string target, CancellationToken cancellationToken);

    /// <summary>What was happening at <paramref name="at"/> (or over <paramref name="span"/> from it); a <see cref="UsageException"/> naming what the history holds when nothing is there.</summary>
    public abstract Task<ActivityMoment> MomentAsync(string target, DateTimeOffset at, TimeSpan? span, CancellationToken cancellationToken);

    public abstract Task<CapacityHistory> CapacityAsync(string target, int days, CancellationToken cancellationToken);

    public abstract Task<HistoryEvidence> EvidenceAsync(string target, TimeSpan since, CancellationToken cancellationToken);

    public abstract ValueTask DisposeAsync();

    private sealed class FileSource(string path, TimeProvider time) : HistorySource
    {
        private readonly SqliteHistoryStore _store = new(path);

        public override string Location => path;

        public override async Task<IReadOnlyList<string>> TargetsAsync(CancellationToken cancellationToken) =>
            (await _store.TargetsAsync(cancellationToken).ConfigureAwait(false)).Select(t => t.Name).ToList();

        public override async Task<SloView> SloAsync(string target, CancellationToken cancellationToken)
        {
            var stored = await StoredAsync(target, cancellationToken).ConfigureAwait(false);
            return new SloView(target, stored.Connection, await HistoryQueries.SloAsync(_store, stored, time.GetUtcNow(), cancellationToken).ConfigureAwait(false));
        }

        public override async Task<ActivityMoment> MomentAsync(string target, DateTimeOffset at, TimeSpan? span, CancellationToken cancellationToken)
        {
            var stored = await StoredAsync(target, cancellationToken).ConfigureAwait(false);
            return await HistoryQueries.MomentAsync(_store, target, at, span, HistoryQueries.Tolerance(stored.SampleInterval), null, cancellationToken).ConfigureAwait(false)
                ?? throw new UsageException($"no session sample of '{target}' near {at:yyyy-MM-ddTHH:mm:ssZ} in {path}: {await HistoryQueries.CoverageAsync(_store, target, null, cancellationToken).ConfigureAwait(false)} (the monitor writes each minute's samples when the minute is over)");
        }

        public override Task<CapacityHistory> CapacityAsync(string target, int days, CancellationToken cancellationToken)
        {
            var now = time.GetUtcNow();
            return HistoryQueries.CapacityAsync(_store, target, now - TimeSpan.FromDays(days), now, cancellationToken);
        }

        public override async Task<HistoryEvidence> EvidenceAsync(string target, TimeSpan since, CancellationToken cancellationToken)
        {
            var stored = await StoredAsync(target, cancellationToken).ConfigureAwait(false);
            var now = time.GetUtcNow();
            var ledger = await HistoryQueries.LedgerAsync(_store, target, stored.Slo, now, cancellationToken).ConfigureAwait(false);
            return await HistoryQueries.EvidenceAsync(_store, stored, path, now - since, now, ledger, null, cancellationToken).ConfigureAwait(false);
        }

        public override ValueTask DisposeAsync()
        {
            _store.Dispose();
            return ValueTask.CompletedTask;
        }

        private async Task<StoredTarget> StoredAsync(string target, CancellationToken cancellationToken) =>
            (await _store.TargetsAsync(cancellationToken).ConfigureAwait(false)).FirstOrDefault(t => t.Name == target)
            ?? throw new UsageException($"{path} has no target '{target}'");
    }

    private sealed class ApiSource : HistorySource
    {
        private readonly HttpClient _http;
        private readonly Uri _address;

        public ApiSource(Uri address, string? token)
        {
            _address = address;
            _http = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(30) };
            if (!string.IsNullOrEmpty(token))
            {
                _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }
        }

        public override string Location => _address.GetLeftPart(UriPartial.Authority);

        public override async Task<IReadOnlyList<string>> TargetsAsync(CancellationToken cancellationToken)
        {
            var targets = await GetAsync("/api/targets", CliJsonContext.Dialect.JsonElement, cancellationToken).ConfigureAwait(false);
            return targets.EnumerateArray().Select(t => t.GetProperty("name").GetString()!).ToList();
        }

        public override Task<SloView> SloAsync(string target, CancellationToken cancellationToken) =>
            GetAsync($"/api/targets/{Uri.EscapeDataString(target)}/slo", CliJsonContext.Dialect.SloView, cancellationToken);

        public override Task<ActivityMoment> MomentAsync(string target, DateTimeOffset at, TimeSpan? span, CancellationToken cancellationToken) =>
            GetAsync(
                $"/api/targets/{Uri.EscapeDataString(target)}/activity?at={Uri.EscapeDataString(at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.FFFFFFFZ", System.Globalization.CultureInfo.InvariantCulture))}"
                    + (span is { } s ? $"&for={(long)s.TotalSeconds}s" : string.Empty),
                CliJsonContext.Dialect.ActivityMoment,
                cancellationToken);

        public override Task<CapacityHistory> CapacityAsync(string target, int days, CancellationToken cancellationToken) =>
            GetAsync($"/api/targets/{Uri.EscapeDataString(target)}/capacity?days={days}", CliJsonContext.Dialect.CapacityHistory, cancellationToken);

        public override Task<HistoryEvidence> EvidenceAsync(string target, TimeSpan since, CancellationToken cancellationToken) =>
            GetAsync($"/api/targets/{Uri.EscapeDataString(target)}/evidence?since={(long)since.TotalSeconds}s", CliJsonContext.Dialect.HistoryEvidence, cancellationToken);

        public override ValueTask DisposeAsync()
        {
            _http.Dispose();
            return ValueTask.CompletedTask;
        }

        private async Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        {
            HttpResponseMessage response;
            try
            {
                response = await _http.GetAsync(new Uri(path, UriKind.Relative), cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException ex)
            {
                throw new UsageException($"cannot reach the monitor at {Location}: {ex.Message.ReplaceLineEndings(" ")}; start pgmedic serve, pass --monitor URL, or read its file with --history FILE");
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new UsageException($"the monitor at {Location} did not answer within 30 s");
            }

            using (response)
            {
                var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    throw new UsageException($"the monitor at {Location} wants its access token: pass --token or set PGMEDIC_accessToken");
                }

                if (!response.IsSuccessStatusCode)
                {
                    var detail = TryDetail(body) ?? $"HTTP {(int)response.StatusCode}";
                    throw new UsageException($"the monitor at {Location} answered {(int)response.StatusCode}: {detail}");
                }

                try
                {
                    return JsonSerializer.Deserialize(body, type) ?? throw new UsageException($"the monitor at {Location} answered an empty document for {path}");
                }
                catch (JsonException)
                {
                    throw new UsageException($"{Location} answered {path} with something that is not PgMedic's JSON: is it a pgmedic serve of the same version?");
                }
            }
        }

        private static string? TryDetail(string body)
        {
            try
            {
                using var document = JsonDocument.Parse(body);
                return document.RootElement.TryGetProperty("detail", out var detail) ? detail.GetString() : null;
            }
            catch (JsonException)
            {
                return null;
            }
        }
    }
}

/// <summary>The options every verb that reads the monitor's history shares.</summary>
internal sealed class HistoryOptions
{
    public Option<string?> File { get; } = new("--history") { Description = "The monitor's history file (its history.path); read directly, also while it runs", HelpName = "file" };

    public Option<string?> Monitor { get; } = new("--monitor") { Description = $"A running pgmedic serve to ask instead (default {HistorySource.DefaultMonitor.GetLeftPart(UriPartial.Authority)} when --history is not given)", HelpName = "url" };

    public Option<string?> Token { get; } = new("--token") { Description = "The monitor's access token (default $PGMEDIC_accessToken)", HelpName = "token" };

    public void AddTo(System.CommandLine.Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        command.Options.Add(File);
        command.Options.Add(Monitor);
        command.Options.Add(Token);
    }

    /// <summary>True when the verb was asked to read the history at all (report and advise read it only then).</summary>
    public bool IsGiven(System.CommandLine.ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        return parseResult.GetValue(File) is not null || parseResult.GetValue(Monitor) is not null;
    }
}
