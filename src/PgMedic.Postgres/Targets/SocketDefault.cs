using System.Globalization;

namespace PgMedic.Postgres.Targets;

/// <summary>
/// libpq's default host: the Unix-socket directory when a server listens there, else localhost.
/// libpq has the directory compiled in (/var/run/postgresql on Debian and Ubuntu, /tmp upstream);
/// we look in both, for the socket of the port we are about to use.
/// </summary>
internal static class SocketDefault
{
    public const string Localhost = "localhost";

    public static readonly IReadOnlyList<string> Directories =
        OperatingSystem.IsWindows() ? [] : ["/var/run/postgresql", "/tmp"];

    public static string Host(int port, IReadOnlyList<string> directories)
    {
        foreach (var directory in directories)
        {
            if (File.Exists(Path.Combine(directory, ".s.PGSQL." + port.ToString(CultureInfo.InvariantCulture))))
            {
                return directory;
            }
        }

        return Localhost;
    }
}
