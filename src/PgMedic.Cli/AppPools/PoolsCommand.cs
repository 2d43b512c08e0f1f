using System.CommandLine;
using PgMedic.Cli.Common;
using PgMedic.Cli.Output;
using PgMedic.Core.Common;
using PgMedic.Core.Diagnosis;
using PgMedic.Postgres.AppPools;

namespace PgMedic.Cli.AppPools;

/// <summary>
/// <c>pgmedic pools ENDPOINT…</c>: the runbook's "check connection pool status", asked of the running
/// services themselves (a new process's pool is always empty): each instance's pool and its oldest holders.
/// </summary>
internal static class PoolsCommand
{
    public static Command Create(CliContext context)
    {
        var endpoints = CommonOptions.RefusingOptions(new Argument<string[]>("ENDPOINT")
        {
            Description = "A service's /health/pool URL (PgMedic.Guard or pgmedic-sqlalchemy); one or more",
            Arity = ArgumentArity.OneOrMore,
        });
        var token = new Option<string?>("--pool-token") { Description = "Bearer token for the endpoints (default: $PGMEDIC_POOL_TOKEN)", HelpName = "token" };
        var timeout = CommonOptions.DurationOption("--timeout", "-t", "Give up on an endpoint after this long", TimeSpan.FromSeconds(5));
        var format = CommonOptions.Format();
        var command = new Command("pools", "Each service instance's connection pool as the running service sees it: size, checked out, overflow, idle, waiting, timeouts, and the oldest holders with the code that checked them out. Exit 0 ok, 1 a pool is exhausted, has waiters or suspected leaks, 2 an endpoint did not answer.")
        {
            endpoints, token, timeout, format,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var uris = (parseResult.GetValue(endpoints) ?? []).Select(ParseEndpoint).ToList();
            var bearer = parseResult.GetValue(token) ?? context.Environment("PGMEDIC_POOL_TOKEN");
            using var http = new HttpClient { Timeout = parseResult.GetValue(timeout) };
            var pools = await Task.WhenAll(uris.Select(u => PoolEndpointClient.ReadAsync(http, u, bearer, cancellationToken)));
            var report = new PoolsReport(pools, ExitCodeOf(pools));
            PoolsRenderer.Render(report, parseResult.GetValue(format), context);
            return (int)report.ExitCode;
        });
        return command;
    }

    /// <summary>2 when an endpoint did not answer (a silent service is a signal too); 1 when a pool is exhausted, has waiters or a suspected leak.</summary>
    internal static ExitCode ExitCodeOf(IReadOnlyList<AppPool> pools)
    {
        if (pools.Any(p => p.Error is not null))
        {
            return ExitCode.Critical;
        }

        return pools.Any(p => p.Waiting > 0 || (p.MaxConnections is { } max && p.CheckedOut >= max) || p.Holders.Any(h => h.Leaked))
            ? ExitCode.Warning
            : ExitCode.Ok;
    }

    private static Uri ParseEndpoint(string text) =>
        Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new UsageException($"'{text}' is not an http(s) URL: give each service's /health/pool address, e.g. http://127.0.0.1:5080/health/pool");
}

/// <summary>The JSON of <c>pgmedic pools --format json</c> (docs/commands/pools.md).</summary>
internal sealed record PoolsReport(IReadOnlyList<AppPool> Pools, ExitCode ExitCode);
