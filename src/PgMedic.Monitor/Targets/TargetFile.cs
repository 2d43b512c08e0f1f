using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using PgMedic.Monitor.Configuration;
using PgMedic.Postgres.Targets;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace PgMedic.Monitor.Targets;

/// <summary>What one target file holds: its targets, or every error in it (then none of its targets is used).</summary>
internal sealed record TargetFileRead(string Path, IReadOnlyList<MonitoredTarget> Targets, IReadOnlyList<string> Errors);

/// <summary>
/// Reads one Prometheus <c>file_sd</c> file (JSON, or YAML for <c>.yml</c>/<c>.yaml</c>) — a list of
/// <c>{"targets": ["host:port", …], "labels": {…}}</c> — into monitored targets, so that one file can feed
/// both PgMedic and Prometheus' own <c>file_sd_configs</c>. Labels PgMedic reads (<see cref="Labels"/>):
/// <c>database</c>, <c>user</c>, <c>options</c> (libpq <c>key=value</c> pairs), <c>name</c>, <c>poll</c>,
/// <c>password_file</c> and <c>password_env</c>; other labels are left to Prometheus. A password never
/// comes from the file itself: it is refused there, and read from the file <c>password_file</c> names,
/// the variable <c>password_env</c> names, <c>PGPASSWORD</c>, or <c>.pgpass</c>.
/// </summary>
internal static partial class TargetFile
{
    public static readonly IReadOnlyList<string> Extensions = [".json", ".yml", ".yaml"];

    public static bool IsTargetFile(string path) => Extensions.Contains(System.IO.Path.GetExtension(path), StringComparer.OrdinalIgnoreCase);

    public static TargetFileRead Read(string path, TargetDefaults defaults, Func<string, string?> environment, string? home)
    {
        ArgumentNullException.ThrowIfNull(path);
        var shown = System.IO.Path.GetFileName(path);
        List<Entry> entries;
        try
        {
            var text = File.ReadAllText(path);
            var yaml = !string.Equals(System.IO.Path.GetExtension(path), ".json", StringComparison.OrdinalIgnoreCase);
            entries = yaml ? FromYaml(text) : FromJson(text);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new TargetFileRead(path, [], [$"{shown}: cannot be read: {ex.Message}"]);
        }
        catch (Exception ex) when (ex is JsonException or YamlException or FormatException)
        {
            return new TargetFileRead(path, [], [$"{shown}: not a file_sd list of {{\"targets\": [\"host:port\"], \"labels\": {{…}}}}: {FirstLine(ex.Message)}"]);
        }

        var errors = new List<string>();
        var targets = new List<MonitoredTarget>();
        for (var i = 0; i < entries.Count; i++)
        {
            var entry = entries[i];
            if (entry.Labels.TryGetValue(Labels.Name, out var given) && entry.Addresses.Count > 1)
            {
                errors.Add($"{shown}: entry {i + 1}: a 'name' label names one target, but 'targets' lists {entry.Addresses.Count}: give each its own entry");
            }

            if (entry.Labels.ContainsKey("password"))
            {
                errors.Add($"{shown}: entry {i + 1}: a password in a target file is refused (the file is read by others, Prometheus among them): put it in .pgpass, or name a secret file with 'password_file' or a variable with 'password_env'");
                continue;
            }

            foreach (var address in entry.Addresses)
            {
                if (Target(shown, i + 1, address, entry.Labels, given, defaults, environment, home, errors) is { } target)
                {
                    targets.Add(target with { SourceFile = path });
                }
            }
        }

        foreach (var duplicate in targets.GroupBy(t => t.Name, StringComparer.Ordinal).Where(g => g.Count() > 1))
        {
            errors.Add($"{shown}: the name '{duplicate.Key}' is used {duplicate.Count()} times; names must be unique (set a 'name' label)");
        }

        return errors.Count > 0 ? new TargetFileRead(path, [], errors) : new TargetFileRead(path, targets, []);
    }

    /// <summary>The name a target gets without a <c>name</c> label: host, port and database, e.g. <c>db1.internal-5432-shop</c>.</summary>
    public static string DefaultName(string host, int port, string database) =>
        NotInName().Replace(string.Create(CultureInfo.InvariantCulture, $"{host}-{port}-{database}"), "-");

    private static MonitoredTarget? Target(string shown, int index, string address, IReadOnlyDictionary<string, string> labels, string? name, TargetDefaults defaults, Func<string, string?> environment, string? home, List<string> errors)
    {
        var at = address.LastIndexOf('@');
        var where = $"{shown}: entry {index}, target '{(at < 0 ? address : "***" + address[at..])}'";
        if (!TryAddress(address, out var host, out var port))
        {
            errors.Add($"{where}: not host:port (e.g. db1.internal:5432 or [2001:db8::1]:5432)");
            return null;
        }

        if (address.Contains('@', StringComparison.Ordinal))
        {
            errors.Add($"{where}: a login in the address is refused: give the user in the 'user' label and the password through .pgpass, 'password_file' or 'password_env'");
            return null;
        }

        var conninfo = new StringBuilder();
        conninfo.Append("host=").Append(Quote(host)).Append(" port=").Append(port.ToString(CultureInfo.InvariantCulture));
        if (labels.TryGetValue(Labels.Database, out var database))
        {
            conninfo.Append(" dbname=").Append(Quote(database));
        }

        if (labels.TryGetValue(Labels.User, out var user))
        {
            conninfo.Append(" user=").Append(Quote(user));
        }

        if (labels.TryGetValue(Labels.Options, out var options))
        {
            conninfo.Append(' ').Append(options);
        }

        ConnectionTarget connection;
        try
        {
            if (TargetResolver.Resolve(conninfo.ToString(), _ => null, null).Password is not null)
            {
                errors.Add($"{where}: a password in the 'options' label is refused: put it in .pgpass, or name a secret file with 'password_file' or a variable with 'password_env'");
                return null;
            }

            connection = TargetResolver.Resolve(conninfo.ToString(), environment, home);
        }
        catch (TargetException ex)
        {
            errors.Add($"{where}: {ex.Message}");
            return null;
        }

        if (labels.TryGetValue(Labels.PasswordEnv, out var variable))
        {
            if (environment(variable) is not { Length: > 0 } password)
            {
                errors.Add($"{where}: 'password_env' names {variable}, which is not set in the monitor's environment");
                return null;
            }

            connection = connection with { Password = password, PasswordFromFile = false };
        }
        else if (labels.TryGetValue(Labels.PasswordFile, out var secretFile))
        {
            try
            {
                var password = File.ReadLines(secretFile).FirstOrDefault()?.TrimEnd('\r');
                if (string.IsNullOrEmpty(password))
                {
                    errors.Add($"{where}: the 'password_file' {secretFile} is empty");
                    return null;
                }

                connection = connection with { Password = password, PasswordFromFile = true };
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                errors.Add($"{where}: the 'password_file' {secretFile} cannot be read: {FirstLine(ex.Message)}");
                return null;
            }
        }

        name ??= DefaultName(host, port, connection.EffectiveDatabase);
        if (!MonitorConfigReader.IsTargetName(name))
        {
            errors.Add($"{where}: the name '{name}' may hold only letters, digits, '.', '_' and '-' (at most 64): set a 'name' label");
            return null;
        }

        PollMode? poll = null;
        if (labels.TryGetValue(Labels.Poll, out var pollText))
        {
            poll = MonitorConfigReader.ParsePoll(pollText);
            if (poll is null)
            {
                errors.Add($"{where}: 'poll' is '{pollText}', not interval or scrape");
                return null;
            }
        }

        return MonitorConfigReader.DefaultTarget(name, connection, defaults) with { Poll = poll };
    }

    private static bool TryAddress(string address, out string host, out int port)
    {
        host = string.Empty;
        port = ConnectionTarget.DefaultPort;
        var portText = (string?)null;
        if (address.StartsWith('['))
        {
            var close = address.IndexOf(']', StringComparison.Ordinal);
            if (close < 2)
            {
                return false;
            }

            host = address[1..close];
            var rest = address[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    return false;
                }

                portText = rest[1..];
            }
        }
        else
        {
            var colon = address.LastIndexOf(':');
            host = colon < 0 ? address : address[..colon];
            portText = colon < 0 ? null : address[(colon + 1)..];
        }

        if (host.Length == 0 || host.Any(char.IsWhiteSpace))
        {
            return false;
        }

        return portText is null || (int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and < 65536);
    }

    private static string Quote(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    private static string FirstLine(string text) => text.ReplaceLineEndings("\n").Split('\n')[0];

    private static List<Entry> FromJson(string text)
    {
        using var document = JsonDocument.Parse(text, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        if (document.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw new FormatException("the file must hold a list");
        }

        var entries = new List<Entry>();
        foreach (var item in document.RootElement.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("targets", out var targets) || targets.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"entry {entries.Count + 1} has no 'targets' list");
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (item.TryGetProperty("labels", out var given) && given.ValueKind == JsonValueKind.Object)
            {
                foreach (var label in given.EnumerateObject())
                {
                    labels[label.Name] = label.Value.ValueKind == JsonValueKind.String ? label.Value.GetString()! : label.Value.GetRawText();
                }
            }

            entries.Add(new Entry(targets.EnumerateArray().Select(t => t.GetString() ?? throw new FormatException("a target is not a string")).ToList(), labels));
        }

        return entries;
    }

    private static List<Entry> FromYaml(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return [];
        }

        if (stream.Documents[0].RootNode is not YamlSequenceNode list)
        {
            throw new FormatException("the file must hold a list");
        }

        var entries = new List<Entry>();
        foreach (var item in list)
        {
            if (item is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode("targets"), out var targets) || targets is not YamlSequenceNode addresses)
            {
                throw new FormatException($"entry {entries.Count + 1} has no 'targets' list");
            }

            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            if (map.Children.TryGetValue(new YamlScalarNode("labels"), out var given) && given is YamlMappingNode pairs)
            {
                foreach (var (key, value) in pairs.Children)
                {
                    labels[((YamlScalarNode)key).Value ?? string.Empty] = (value as YamlScalarNode)?.Value ?? string.Empty;
                }
            }

            entries.Add(new Entry(addresses.Select(a => (a as YamlScalarNode)?.Value ?? throw new FormatException("a target is not a string")).ToList(), labels));
        }

        return entries;
    }

    [GeneratedRegex("[^A-Za-z0-9_.-]")]
    private static partial Regex NotInName();

    private sealed record Entry(IReadOnlyList<string> Addresses, IReadOnlyDictionary<string, string> Labels);

    /// <summary>The label names PgMedic reads (docs/commands/serve.md, "Targets from files").</summary>
    public static class Labels
    {
        public const string Name = "name";
        public const string Database = "database";
        public const string User = "user";
        public const string Options = "options";
        public const string Poll = "poll";
        public const string PasswordFile = "password_file";
        public const string PasswordEnv = "password_env";
    }
}
