using PgMedic.Testing;

namespace PgMedic.Monitor.Tests;

internal static class ServeAddress
{
    /// <summary>Waits for <c>pgmedic serve</c>'s "listening on" line and returns the monitor's address.</summary>
    public static async Task<Uri> WaitForAddressAsync(this PgMedicProcess serve, TimeSpan timeout)
    {
        var output = await serve.WaitForOutputAsync("listening on http://", timeout);
        var line = output.Split('\n').First(l => l.Contains("listening on http://", StringComparison.Ordinal));
        var start = line.IndexOf("http://", StringComparison.Ordinal);
        return new Uri(line[start..line.IndexOf(' ', start)]);
    }
}
