using System.CommandLine;
using System.Net;
using PgMedic.Cli.Common;
using PgMedic.Core.Remediation;

namespace PgMedic.Cli.Remediation;

/// <summary>The session filters of <c>terminate</c> and <c>cancel</c>.</summary>
internal sealed class SelectionOptions
{
    public Option<string?> Application { get; } = new("--application", "-a") { Description = "Only sessions of this application_name", HelpName = "name" };

    public Option<string?> User { get; } = new("--user") { Description = "Only sessions of this role (the login is -U/--username)", HelpName = "role" };

    public Option<string?> Client { get; } = new("--client") { Description = "Only sessions from this client address or CIDR (10.0.0.0/8)", HelpName = "address" };

    public Option<int?> Pid { get; } = new("--pid")
    {
        Description = "Only the session with this backend PID (as diagnose names a lock chain's head)",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var pid) && pid > 0)
            {
                return pid;
            }

            result.AddError($"--pid '{text}' is not a backend PID (a whole number such as 4242)");
            return null;
        },
    };

    public void AddTo(Command command)
    {
        command.Options.Add(Application);
        command.Options.Add(User);
        command.Options.Add(Client);
        command.Options.Add(CommonOptions.Renamed("-u", "--user", "a filter has no short form beside psql's -U, the login"));
        command.Options.Add(Pid);
    }

    public SessionSelection Read(ParseResult parseResult)
    {
        var client = parseResult.GetValue(Client);
        IPNetwork? network = null;
        if (client is not null)
        {
            if (IPNetwork.TryParse(client, out var parsed))
            {
                network = parsed;
            }
            else if (IPAddress.TryParse(client, out var address))
            {
                network = new IPNetwork(address, address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            }
            else
            {
                throw new UsageException($"--client '{client}' is not an IP address or CIDR network such as 10.0.0.0/8");
            }
        }

        return new SessionSelection
        {
            Application = parseResult.GetValue(Application),
            User = parseResult.GetValue(User),
            Client = network,
            Pid = parseResult.GetValue(Pid),
        };
    }
}
