using System.Text;
using System.Text.RegularExpressions;
using PgMedic.Cli.Common;
using PgMedic.Core.Capacity;
using PgMedic.Core.Platforms;
using PgMedic.Postgres.Remediation;

namespace PgMedic.Cli.Capacity;

/// <summary>
/// <c>advise --emit PLATFORM</c>: the computed <c>DATABASE_*</c> values in the platform's own form — its
/// CLI's commands where it has one for variables, else its configuration file — with when they take
/// effect. docs/platforms/*.md cites each platform's documentation.
/// </summary>
internal static partial class PlatformEmitter
{
    /// <summary>The platforms whose commands or files name the service (Fly.io's fly.toml and Render's env group do not need one).</summary>
    public static bool NeedsService(Platform platform) => platform is Platform.Railway or Platform.Heroku or Platform.Kubernetes or Platform.Systemd;

    /// <exception cref="UsageException">The service is missing where the platform needs one, or is not a name the platform accepts.</exception>
    public static string Emit(CapacityAdvice advice, Platform platform, string? service)
    {
        ArgumentNullException.ThrowIfNull(advice);
        var name = string.IsNullOrWhiteSpace(service) ? null : service.Trim();
        if (name is null && NeedsService(platform))
        {
            throw new UsageException($"--emit {PlatformNames.Of(platform)} needs --service NAME: {What(platform)} the variables are for");
        }

        var variables = CapacityEmitter.Variables(advice);
        var text = new StringBuilder();
        text.Append("# ").Append(CapacityEmitter.Headline(advice)).Append('\n');
        switch (platform)
        {
            case Platform.Railway:
                Railway(text, variables, PlatformPresets.Quote(name!));
                break;
            case Platform.Heroku:
                Heroku(text, variables, PlatformPresets.Quote(name!));
                break;
            case Platform.Render:
                Render(text, variables, name);
                break;
            case Platform.Fly:
                Fly(text, variables, name);
                break;
            case Platform.Kubernetes:
                Kubernetes(text, variables, KubernetesName(name!));
                break;
            default:
                Systemd(text, variables, SystemdUnit(name!));
                break;
        }

        return text.ToString();
    }

    private static string What(Platform platform) => platform switch
    {
        Platform.Railway => "the Railway service",
        Platform.Heroku => "the Heroku app",
        Platform.Kubernetes => "the Kubernetes deployment",
        _ => "the systemd unit",
    };

    // One variableCollectionUpsert for every --set, without its automatic deploy; then one redeploy, since a
    // variable reaches the service only with a new deployment (railway restart reuses the old one).
    private static void Railway(StringBuilder text, IReadOnlyList<EnvVariable> variables, string service)
    {
        text.Append("# Sets every variable on Railway service ").Append(service).Append(" at once without a deploy, then redeploys once:\n");
        text.Append("# a variable reaches the service only with a new deployment (railway restart reuses the old one).\n");
        text.Append("railway variables \\\n");
        foreach (var variable in variables)
        {
            text.Append("  --set \"").Append(variable.Name).Append('=').Append(variable.Value).Append("\" \\\n");
        }

        text.Append("  --service ").Append(service).Append(" --skip-deploys \\\n");
        text.Append("  && railway redeploy --service ").Append(service).Append(" --yes\n");
    }

    private static void Heroku(StringBuilder text, IReadOnlyList<EnvVariable> variables, string app)
    {
        text.Append("# One release: heroku config:set sets every variable at once and restarts the app's dynos, which read them at start.\n");
        text.Append("heroku config:set \\\n");
        foreach (var variable in variables)
        {
            text.Append("  ").Append(variable.Name).Append('=').Append(variable.Value).Append(" \\\n");
        }

        text.Append("  --app ").Append(app).Append('\n');
    }

    // The Render CLI sets variables only when it creates a service (services create --env-var); nothing
    // changes an existing service's: the Blueprint (render.yaml) or the dashboard does.
    private static void Render(StringBuilder text, IReadOnlyList<EnvVariable> variables, string? service)
    {
        var group = (service is null ? string.Empty : Slug(service) + "-") + "database-pool";
        text.Append("# The Render CLI has no command that sets an existing service's environment variables, so this is\n");
        text.Append("# a render.yaml (Blueprint) fragment: an environment group, which the service takes with fromGroup.\n");
        text.Append("# Merge it into render.yaml and sync the Blueprint, or enter the same values in the dashboard\n");
        text.Append("# (Environment); they take effect with the service's next deploy.\n");
        text.Append("envVarGroups:\n");
        text.Append("  - name: ").Append(group).Append('\n');
        text.Append("    envVars:\n");
        foreach (var variable in variables)
        {
            text.Append("      - key: ").Append(variable.Name).Append('\n');
            text.Append("        value: \"").Append(variable.Value).Append("\"\n");
        }

        text.Append("# and in the service's entry").Append(service is null ? string.Empty : $" ({service})").Append(":\n");
        text.Append("#     envVars:\n");
        text.Append("#       - fromGroup: ").Append(group).Append('\n');
    }

    // [env], not fly secrets: pool numbers are not secret, and [env] keeps them readable and in version
    // control beside the code, where a secret shows only its digest. DATABASE_URL stays a secret.
    private static void Fly(StringBuilder text, IReadOnlyList<EnvVariable> variables, string? app)
    {
        text.Append("# fly.toml").Append(app is null ? string.Empty : $" of app {app}").Append(": [env], not fly secrets. These numbers are not secret; in [env] they stay\n");
        text.Append("# readable (fly config env) and versioned beside the code, where a secret shows only a digest.\n");
        text.Append("# DATABASE_URL, which holds the password, stays a secret. Merge into an existing [env] table;\n");
        text.Append("# the values take effect with the next fly deploy (the Machines restart with them).\n");
        text.Append("[env]\n");
        foreach (var variable in variables)
        {
            text.Append("  ").Append(variable.Name).Append(" = \"").Append(variable.Value).Append("\"\n");
        }
    }

    // A container reads its environment at start: a changed ConfigMap reaches running pods only through a new rollout.
    private static void Kubernetes(StringBuilder text, IReadOnlyList<EnvVariable> variables, string deployment)
    {
        var map = deployment + "-database-pool";
        text.Append("# kubectl apply -f this file, then kubectl rollout restart deployment/").Append(deployment).Append(": a container reads\n");
        text.Append("# its environment when it starts, so a changed ConfigMap reaches running pods only with a new rollout.\n");
        text.Append("# deployment/").Append(deployment).Append(" takes it in its container spec:\n");
        text.Append("#   envFrom:\n");
        text.Append("#     - configMapRef:\n");
        text.Append("#         name: ").Append(map).Append('\n');
        text.Append("apiVersion: v1\n");
        text.Append("kind: ConfigMap\n");
        text.Append("metadata:\n");
        text.Append("  name: ").Append(map).Append('\n');
        text.Append("data:\n");
        foreach (var variable in variables)
        {
            text.Append("  ").Append(variable.Name).Append(": \"").Append(variable.Value).Append("\"\n");
        }
    }

    private static void Systemd(StringBuilder text, IReadOnlyList<EnvVariable> variables, string unit)
    {
        text.Append("# A drop-in for ").Append(unit).Append(": save as /etc/systemd/system/").Append(unit).Append(".d/database-pool.conf\n");
        text.Append("# (or paste into systemctl edit ").Append(unit).Append("), then systemctl daemon-reload && systemctl restart ").Append(unit).Append(":\n");
        text.Append("# a unit's environment is read when it starts.\n");
        text.Append("[Service]\n");
        foreach (var variable in variables)
        {
            text.Append("Environment=\"").Append(variable.Name).Append('=').Append(variable.Value).Append("\"\n");
        }
    }

    private static string KubernetesName(string name) =>
        KubernetesNamePattern().IsMatch(name) && name.Length <= 240
            ? name
            : throw new UsageException($"--service '{name}' is not a Kubernetes deployment name: use lowercase letters, digits, '-' and '.'");

    private static string SystemdUnit(string name)
    {
        var unit = name.EndsWith(".service", StringComparison.Ordinal) ? name : name + ".service";
        return SystemdUnitPattern().IsMatch(unit)
            ? unit
            : throw new UsageException($"--service '{name}' is not a systemd unit name: use letters, digits and :_.@- (api, api.service, app@1)");
    }

    private static string Slug(string name) => new([.. name.ToLowerInvariant().Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")]
    private static partial Regex KubernetesNamePattern();

    [GeneratedRegex(@"^[A-Za-z0-9:_.\\@-]+\.service$")]
    private static partial Regex SystemdUnitPattern();
}
