using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace PgMedic.Monitor.Api;

/// <summary>
/// The names and addresses this machine is reached by, read once at start without a DNS lookup (a
/// resolver that hangs must not hold up the monitor): the host name, with its domain when one is set, and
/// every interface's unicast address in <c>Host</c> header form.
/// </summary>
internal static class MachineNames
{
    public static IReadOnlyList<string> Current()
    {
        var names = new List<string>();
        var host = Dns.GetHostName();
        if (host.Length > 0)
        {
            names.Add(host);
            var domain = IPGlobalProperties.GetIPGlobalProperties().DomainName;
            if (domain.Length > 0 && !host.Contains('.', StringComparison.Ordinal))
            {
                names.Add($"{host}.{domain}");
            }
        }

        try
        {
            foreach (var address in NetworkInterface.GetAllNetworkInterfaces()
                .Where(i => i.OperationalStatus != OperationalStatus.Down)
                .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                .Select(u => u.Address))
            {
                // A link-local IPv6 address carries its scope (fe80::1%2); the Host header never does.
                var text = address.AddressFamily == AddressFamily.InterNetworkV6 ? new IPAddress(address.GetAddressBytes()).ToString() : address.ToString();
                names.Add(HttpHardening.HostForm(text));
            }
        }
        catch (NetworkInformationException)
        {
            // No interface list (a locked-down container): the host name and the configured names remain.
        }

        return names;
    }
}
