using PgMedic.Core.Activity;

namespace PgMedic.Cli.Top;

/// <summary>The filter typed after <c>/</c>: <c>db:shop app:checkout user:api state:idle-in-transaction</c> (exact names; empty clears).</summary>
internal static class TopFilterText
{
    public static string Format(ActivityFilter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var parts = new List<string>();
        Add(parts, "db", filter.Database);
        Add(parts, "app", filter.Application);
        Add(parts, "user", filter.User);
        parts.AddRange(filter.States.Select(s => "state:" + s.Replace(" (", "-", StringComparison.Ordinal).Replace(")", string.Empty, StringComparison.Ordinal).Replace(' ', '-')));
        return string.Join(' ', parts);
    }

    public static bool TryParse(string text, ActivityFilter current, out ActivityFilter filter, out string? error)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(current);
        string? database = null, application = null, user = null;
        var states = new List<string>();
        foreach (var term in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = term.IndexOf(':', StringComparison.Ordinal);
            var name = colon > 0 ? term[..colon].ToLowerInvariant() : string.Empty;
            var value = colon > 0 ? term[(colon + 1)..] : string.Empty;
            if (value.Length == 0)
            {
                name = string.Empty;
            }

            switch (name)
            {
                case "db" or "database":
                    database = value;
                    break;
                case "app" or "application":
                    application = value;
                    break;
                case "user":
                    user = value;
                    break;
                case "state" when ActivityFilter.TryParseState(value, out var state):
                    states.Add(state);
                    break;
                case "state":
                    filter = current;
                    error = $"filter state:{value}: not one of {ActivityFilter.StateChoices}";
                    return false;
                default:
                    filter = current;
                    error = $"filter '{term}': use db:NAME app:NAME user:NAME state:STATE (exact names), or nothing to clear";
                    return false;
            }
        }

        filter = current with { States = states, Database = database, Application = application, User = user, MinAge = null };
        error = null;
        return true;
    }

    private static void Add(List<string> parts, string name, string? value)
    {
        if (value is not null)
        {
            parts.Add($"{name}:{value}");
        }
    }
}
