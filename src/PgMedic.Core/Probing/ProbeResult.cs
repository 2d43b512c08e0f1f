using System.Text.Json.Serialization;
using PgMedic.Core.Common;
using PgMedic.Core.Platforms;

namespace PgMedic.Core.Probing;

/// <summary>The answer to "can we connect at all, and why not?".</summary>
/// <param name="Target">The masked target (never holds a password).</param>
/// <param name="Reason">One of <see cref="ProbeReason"/>; null when accepting.</param>
/// <param name="SqlState">The server's SQLSTATE for a rejection.</param>
/// <param name="Message">One line, password-free: the server's or the network's own words.</param>
/// <param name="ConnectMilliseconds">Opening the connection: TCP, TLS, authentication, up to the server's ready-for-query.</param>
/// <param name="QueryMilliseconds">The <c>SELECT 1</c> round trip after it; null when none ran (diagnose's connection runs the collector instead).</param>
public sealed record ProbeResult(
    string Target,
    ProbeOutcome Outcome,
    string? Reason,
    string? SqlState,
    string? Message,
    double? ConnectMilliseconds,
    double? QueryMilliseconds,
    string? ServerVersion)
{
    /// <summary>
    /// The platform's private network a host name that did not resolve belongs to (<c>*.railway.internal</c>
    /// from a laptop): the lookup fails everywhere outside it, so the step is to run the command there.
    /// </summary>
    public PrivateNetwork? PrivateNetwork { get; init; }

    /// <summary>The server process that served the probe's connection, when it got that far: the monitor leaves it out of a snapshot read meanwhile.</summary>
    [JsonIgnore]
    public int? BackendPid { get; init; }

    /// <summary>
    /// 0 SELECT 1 succeeded, 1 reachable but refused this login, 2 no response or a server that refuses
    /// even superusers (as good as down for every new login), 3 no attempt.
    /// </summary>
    public ExitCode ExitCode => Outcome switch
    {
        ProbeOutcome.Accepting => ExitCode.Ok,
        ProbeOutcome.Rejecting when FullServer.RefusesEveryone(this) => ExitCode.Critical,
        ProbeOutcome.Rejecting => ExitCode.Warning,
        ProbeOutcome.NoResponse => ExitCode.Critical,
        _ => ExitCode.Unknown,
    };

    /// <summary>The next step an on-call engineer should take, by reason.</summary>
    public string? Advice => Reason switch
    {
        ProbeReason.TooManyClients => $"Every connection slot is taken, the superuser-reserved ones too: even superusers are refused, so logging in to look will not work. {FullServer.ExitsText}",
        ProbeReason.ReservedSlotsOnly => "Only the slots reserved for superusers are left: diagnose as a superuser (it gets in through them) to see who holds the rest, then heal.",
        ProbeReason.AuthFailed => "Check the user name and password (PGPASSWORD, ~/.pgpass) and pg_hba.conf for this client address.",
        ProbeReason.DatabaseMissing => "The database does not exist: check the database name in the target.",
        ProbeReason.StartingUp => "The server is starting up: probe again in a few seconds.",
        ProbeReason.ShuttingDown => "The server is shutting down: check who stopped it before restarting anything.",
        ProbeReason.Recovery => "The server is in recovery or a hot standby not yet accepting connections: check replication and the server log.",
        ProbeReason.RoleLimit => "This role reached its CONNECTION LIMIT: diagnose to see its sessions.",
        ProbeReason.DatabaseLimit => "This database reached its CONNECTION LIMIT: diagnose to see its sessions.",
        ProbeReason.Refused => "Nothing accepts connections at that address: is the server running, and on this host and port?",
        ProbeReason.Timeout => "No answer in time: check the network path, a firewall, or a server too busy to accept.",
        ProbeReason.Dns when PrivateNetwork is { } network => $"This host name resolves only inside {PlatformNames.Title(network.Platform)}'s private network: run the command from inside that network, or connect through the database's public address.",
        ProbeReason.Dns => "The host name does not resolve: check the host in the target and DNS.",
        ProbeReason.Tls => "The TLS handshake failed: check sslmode and the server's certificate settings.",
        ProbeReason.Reset => "The connection was reset: check the server log and anything in between (proxy, pooler).",
        _ => null,
    };
}
