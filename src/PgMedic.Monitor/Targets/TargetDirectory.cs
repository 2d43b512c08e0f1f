using PgMedic.Monitor.Configuration;

namespace PgMedic.Monitor.Targets;

/// <summary>
/// The <c>file_sd</c> files of one directory (<c>*.json</c>, <c>*.yml</c>, <c>*.yaml</c>), read again when
/// they change. A file that is wrong keeps the targets it last had while it was right (a half-written
/// file does not drop a fleet), and says why once per version.
/// </summary>
internal sealed class TargetDirectory(string path, TargetDefaults defaults, Func<string, string?> environment, string? home)
{
    private readonly Dictionary<string, (string Text, TargetFileRead Read, bool Bad)> _files = new(StringComparer.Ordinal);

    public string Path => path;

    /// <summary>
    /// Reads the directory: every file's targets (the last good ones of a file now wrong) after
    /// <paramref name="fixedTargets"/>, and every error standing now.
    /// </summary>
    /// <param name="reparse">Reads every file again even when its text is unchanged (a rotated password file, .pgpass).</param>
    /// <returns>No targets (null) when the directory is missing: a directory being remounted must not drop every target in it.</returns>
    public (IReadOnlyList<MonitoredTarget>? Targets, IReadOnlyList<(string File, string Error)> Errors) Scan(IReadOnlyList<MonitoredTarget> fixedTargets, bool reparse)
    {
        ArgumentNullException.ThrowIfNull(fixedTargets);
        var errors = new List<(string File, string Error)>();
        if (!Directory.Exists(path))
        {
            errors.Add((path, $"the target directory {path} does not exist: create it, or fix 'targetDirectory'"));
            return (null, errors);
        }

        var present = Directory.EnumerateFiles(path).Where(TargetFile.IsTargetFile).Order(StringComparer.Ordinal).ToList();
        foreach (var gone in _files.Keys.Except(present).ToList())
        {
            _files.Remove(gone);
        }

        var targets = new List<MonitoredTarget>(fixedTargets);
        var names = fixedTargets.ToDictionary(t => t.Name, t => "the configuration file", StringComparer.Ordinal);
        foreach (var file in present)
        {
            string text;
            try
            {
                text = File.ReadAllText(file);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Deleted between listing and reading, or not ours to read: as if absent this scan.
                errors.Add((file, ex.Message));
                continue;
            }

            _files.TryGetValue(file, out var known);
            var unchanged = known.Read is not null && known.Text == text;
            if (!unchanged || reparse || known.Bad)
            {
                var read = TargetFile.Read(file, defaults, environment, home);
                errors.AddRange(read.Errors.Select(e => (file, e)));

                // A wrong file keeps its last good targets in force.
                _files[file] = read.Errors.Count > 0 ? (text, known.Read ?? read, true) : (text, read, false);
            }

            foreach (var target in _files[file].Read.Targets)
            {
                if (names.TryGetValue(target.Name, out var owner))
                {
                    errors.Add((file, $"{System.IO.Path.GetFileName(file)}: the name '{target.Name}' is already used by {owner}: set a distinct 'name' label"));
                    continue;
                }

                names[target.Name] = System.IO.Path.GetFileName(file);
                targets.Add(target);
            }
        }

        return (targets, errors);
    }
}
