using Microsoft.AspNetCore.Http.HttpResults;
using PgMedic.Guard;

namespace PgMedic.Sample.Api.Orders;

internal static class OrdersApi
{
    public static void MapOrdersApi(this IEndpointRouteBuilder app)
    {
        // A well-behaved endpoint: the connection goes back when the using block ends.
        app.MapGet("/orders/count", CountAsync);
    }

    public static void MapLeakDemoApi(this IEndpointRouteBuilder app)
    {
        // The bug the demo hunts: a connection opened and never disposed. The guard reports it after
        // DATABASE_LEAK_THRESHOLD with this file, line and the backend PID, and /health/pool lists it.
        app.MapPost("/demo/leak", LeakAsync);
    }

    private static async Task<Ok<OrderCount>> CountAsync(GuardedDataSource database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM pg_stat_activity";
        var sessions = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        return TypedResults.Ok(new OrderCount(sessions));
    }

    // ?transaction=true leaves the leaked connection idle in an open transaction: the worse, common variant.
    private static async Task<Ok<LeakedConnection>> LeakAsync(GuardedDataSource database, bool? transaction, CancellationToken cancellationToken)
    {
        var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = transaction == true ? "BEGIN; SELECT 1" : "SELECT 1";
        await command.ExecuteScalarAsync(cancellationToken);
        return TypedResults.Ok(new LeakedConnection(connection.ProcessID));
    }
}

internal sealed record OrderCount(long Sessions);

internal sealed record LeakedConnection(int BackendPid);
