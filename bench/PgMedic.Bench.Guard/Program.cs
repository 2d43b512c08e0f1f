using System.Globalization;
using PgMedic.Bench.Guard;

// Checkout + SELECT 1 + return throughput, raw NpgsqlDataSource against GuardedDataSource, in one run
// against a loopback sandbox server. Bounded: rounds x variants x seconds per concurrency level.
//   dotnet run -c Release --project bench/PgMedic.Bench.Guard -- [seconds-per-run] [rounds] [concurrency,...]
var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 2.0;
var rounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 5;
int[] concurrencies = args.Length > 2 ? [.. args[2].Split(',').Select(c => int.Parse(c, CultureInfo.InvariantCulture))] : [1, 16, 64];
return await ThroughputHarness.RunAsync(TimeSpan.FromSeconds(seconds), rounds, concurrencies, Console.Out);
