using PgMedic.Core.Platforms;

namespace PgMedic.Core.Probing;

/// <summary>
/// A host name that only a platform's private network resolves: from anywhere else the lookup fails, and
/// the fix is to run the command inside that network or to use the database's public address, never to
/// "check DNS". Data only: each door says what to run on that platform.
/// </summary>
/// <param name="Platform">Whose network the name belongs to.</param>
/// <param name="Suffix">What in the name told it (<c>.railway.internal</c>, <c>.flycast</c>, <c>.svc.cluster.local</c>, Render's <c>dpg-…</c>).</param>
/// <param name="Service">The service, app, Kubernetes Service or Render database the name points at.</param>
/// <param name="Namespace">The Kubernetes namespace, when the name carries one.</param>
public sealed record PrivateNetwork(Platform Platform, string Suffix, string Service, string? Namespace = null);

/// <summary>The platforms' private host names, as their docs describe them (docs/commands/probe.md cites each).</summary>
public static class PrivateNetworks
{
    /// <summary>The platform whose private network <paramref name="host"/> belongs to; null for any other name.</summary>
    public static PrivateNetwork? Match(string? host)
    {
        var name = host?.Trim().TrimEnd('.').ToLowerInvariant();
        if (string.IsNullOrEmpty(name) || name.StartsWith('/'))
        {
            return null;
        }

        var labels = name.Split('.');
        if (name.EndsWith(".railway.internal", StringComparison.Ordinal) && labels.Length >= 3)
        {
            return new PrivateNetwork(Platform.Railway, ".railway.internal", labels[^3]);
        }

        // Fly.io: <app>.flycast through the private proxy; <app>.internal, <region>.<app>.internal,
        // top1.nearest.of.<app>.internal and <machine>.vm.<app>.internal over the 6PN. Other .internal names
        // (ip-10-0-0-7.ec2.internal, vm.c.project.internal) are cloud VPCs', not Fly's.
        if (name.EndsWith(".flycast", StringComparison.Ordinal) && labels.Length == 2)
        {
            return new PrivateNetwork(Platform.Fly, ".flycast", labels[0]);
        }

        if (labels[^1] == "internal" && IsFlyInternal(labels))
        {
            return new PrivateNetwork(Platform.Fly, ".internal", labels[^2]);
        }

        // Kubernetes: <service>.<namespace>.svc.cluster.local (or the short <service>.<namespace>.svc).
        if (name.EndsWith(".svc.cluster.local", StringComparison.Ordinal) && labels.Length == 5)
        {
            return new PrivateNetwork(Platform.Kubernetes, ".svc.cluster.local", labels[0], labels[1]);
        }

        if (labels[^1] == "svc" && labels.Length == 3)
        {
            return new PrivateNetwork(Platform.Kubernetes, ".svc", labels[0], labels[1]);
        }

        // Render Postgres: the internal URL's host is the bare instance ID (dpg-<id>-a), with no domain.
        if (labels.Length == 1 && name.StartsWith("dpg-", StringComparison.Ordinal) && name.Length > 6)
        {
            return new PrivateNetwork(Platform.Render, "dpg-", name);
        }

        return null;
    }

    private static bool IsFlyInternal(string[] labels) => labels.Length switch
    {
        2 => labels[0] != "railway",
        3 => labels[0].Length == 3 && labels[0].All(char.IsAsciiLetterLower) && labels[1] is not ("ec2" or "compute"),
        4 => labels[1] == "vm",
        5 => labels[1] == "nearest" && labels[2] == "of",
        _ => false,
    };
}
