using PgMedic.Core.Platforms;
using PgMedic.Core.Probing;

namespace PgMedic.Cli.Probing;

/// <summary>
/// The next step for a private host name that did not resolve, in the platform's own commands: run
/// pgmedic inside the platform's network, or reach the database from here through its public address.
/// </summary>
internal static class PrivateNetworkText
{
    /// <param name="verb">The pgmedic verb that failed (probe, diagnose …), repeated in the commands shown.</param>
    public static string Advice(PrivateNetwork network, string verb)
    {
        ArgumentNullException.ThrowIfNull(network);
        var service = network.Service;
        return network.Platform switch
        {
            Platform.Railway =>
                $"This host resolves only inside Railway's private network ({service}{network.Suffix}), never from outside it. "
                + $"Run the command there: railway ssh --service <your app's service>, then pgmedic {verb} \"$DATABASE_URL\" inside it; "
                + $"or from here through the database's public TCP proxy: railway run --service {service} -- sh -c 'pgmedic {verb} \"$DATABASE_PUBLIC_URL\"' "
                + "(Railway's PostgreSQL gives that URL; railway run with the private DATABASE_URL fails the same way).",
            Platform.Fly =>
                $"This host resolves only inside Fly.io's private network ({service}{network.Suffix}). "
                + $"Run the command there: fly ssh console --app <your app>, then pgmedic {verb} inside it; "
                + $"or from here through a WireGuard tunnel: fly proxy 15432:5432 --app {service} in another terminal, then pgmedic {verb} … -h 127.0.0.1 -p 15432.",
            Platform.Kubernetes =>
                $"This host resolves only inside the Kubernetes cluster's DNS (service {service} in namespace {network.Namespace}). "
                + $"Run the command in the cluster: kubectl exec -it deployment/<your app> --namespace {network.Namespace} -- pgmedic {verb} …; "
                + $"or from here: kubectl port-forward --namespace {network.Namespace} service/{service} 15432:5432 in another terminal, then pgmedic {verb} … -h 127.0.0.1 -p 15432.",
            Platform.Render =>
                $"{service} is a Render Postgres internal host name (no domain): only Render services in the database's region resolve it. "
                + $"Run the command there: render ssh <your service>, then pgmedic {verb} inside it; "
                + $"or from here use the database's External Database URL (dashboard → the database → Connect → External: {service}.<region>-postgres.render.com, sslmode=require).",
            _ => $"This host resolves only inside {PlatformNames.Title(network.Platform)}'s private network: run the command from inside it, or use the database's public address.",
        };
    }
}
