namespace PgMedic.Monitor.Tests.Polling;

/// <summary>
/// Sends a service HTTP requests in a loop, one cycle after another, until stopped (and at most two
/// minutes, so a test that forgets it still ends); counts the answers it got.
/// </summary>
internal sealed class LoadDriver(Uri service) : IAsyncDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = service, Timeout = TimeSpan.FromSeconds(10) };
    private CancellationTokenSource? _load;
    private Task? _loop;
    private long _ok;
    private long _refused;

    /// <summary>Requests answered 2xx and otherwise (503: the pool timed out) since the load last changed.</summary>
    public (long Ok, long Refused) Answers => (Interlocked.Read(ref _ok), Interlocked.Read(ref _refused));

    public async Task RunAsync(Func<CancellationToken, Task> cycle)
    {
        await StopAsync();
        (_ok, _refused) = (0, 0);
        _load = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var token = _load.Token;
        _loop = Task.Run(async () =>
        {
            while (!token.IsCancellationRequested)
            {
                await cycle(token);
            }
        });
    }

    public async Task StopAsync()
    {
        if (_load is null)
        {
            return;
        }

        await _load.CancelAsync();
        try
        {
            await _loop!;
        }
        catch (OperationCanceledException)
        {
            // Stopped mid-request.
        }

        _load.Dispose();
        _load = null;
    }

    /// <param name="counted">False for a request that is no checkout of the service's (it only steers the load).</param>
    public async Task SendAsync(HttpMethod method, string path, CancellationToken cancellationToken, bool counted = true)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        using var response = await _http.SendAsync(request, cancellationToken);
        if (counted)
        {
            Interlocked.Increment(ref response.IsSuccessStatusCode ? ref _ok : ref _refused);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _http.Dispose();
    }
}
