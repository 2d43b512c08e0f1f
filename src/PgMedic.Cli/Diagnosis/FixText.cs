using PgMedic.Core.Diagnosis;

namespace PgMedic.Cli.Diagnosis;

/// <summary>A finding's fix in the CLI's words: the command line to type, then the advice.</summary>
internal static class FixText
{
    public static string Of(Fix fix)
    {
        ArgumentNullException.ThrowIfNull(fix);
        var command = fix.Verb is { } verb ? Command(verb, fix.Options ?? new FixOptions()) : null;
        return (command, fix.Advice) switch
        {
            ({ } c, { } a) => $"{c}  ({a})",
            ({ } c, null) => c,
            (null, { } a) => a,
            _ => string.Empty,
        };
    }

    private static string Command(FixVerb verb, FixOptions o)
    {
        var parts = new List<string> { "pgmedic", Verb(verb) };
        if (o.AsSuperuser)
        {
            parts.Add("<target as a superuser>");
        }

        if (o.ServerTarget)
        {
            parts.Add("<server target>");
        }

        Add(parts, "--workers", o.Workers ? "N" : null);
        Add(parts, "--emit", o.Emit);
        Add(parts, "--state", o.State);
        Add(parts, "--idle-for", o.IdleFor);
        Add(parts, "--running-for", o.RunningFor);
        if (o.Blocking)
        {
            parts.Add("--blocking");
        }

        Add(parts, "--pid", o.Pid?.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Add(parts, "--waiting-for", o.WaitingFor);
        Add(parts, "--in-database", o.Database);
        Add(parts, "--application", o.Application);
        Add(parts, "--user", o.User);
        return string.Join(' ', parts);
    }

    private static string Verb(FixVerb verb) => verb switch
    {
        FixVerb.Terminate => "terminate",
        FixVerb.Cancel => "cancel",
        FixVerb.Activity => "activity",
        FixVerb.Advise => "advise",
        FixVerb.Diagnose => "diagnose",
        _ => "heal",
    };

    private static void Add(List<string> parts, string option, string? value)
    {
        if (value is not null)
        {
            parts.Add(option);
            parts.Add(Quote(value));
        }
    }

    /// <summary>Quotes a value for the shell when it needs it.</summary>
    private static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '/' or ':')
            ? value
            : "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
