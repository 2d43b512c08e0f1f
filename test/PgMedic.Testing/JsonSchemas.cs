using System.Diagnostics;
using System.Text.RegularExpressions;

namespace PgMedic.Testing;

/// <summary>
/// Validates a JSON document against a schema of docs/schemas/ with Debian's python3-jsonschema (draft 2020-12)
/// — the same validator the Python package's tests use on its own documents, so every implementation is held to
/// the one contract. Schemas refer to each other by file name (<c>common.schema.json#/$defs/usage</c>).
/// </summary>
public static partial class JsonSchemas
{
    private const string Validate = """
        import json, pathlib, sys, jsonschema
        directory, name, fragment = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
        store = {}
        for path in sorted(directory.glob('*.schema.json')):
            schema = json.loads(path.read_text(encoding='utf-8'))
            jsonschema.Draft202012Validator.check_schema(schema)
            store[schema.get('$id', path.name)] = schema
        root = store[name]
        schema = {'$ref': name + fragment} if fragment else root
        resolver = jsonschema.RefResolver(base_uri=name, referrer=root, store=store)
        validator = jsonschema.Draft202012Validator(schema, resolver=resolver, format_checker=jsonschema.FormatChecker())
        for error in sorted(validator.iter_errors(json.loads(sys.stdin.read())), key=lambda e: list(map(str, e.absolute_path))):
            print(f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message[:300]}")
        """;

    /// <summary>The folder of the schemas: docs/schemas/ of this repository.</summary>
    public static string Directory => Path.Combine(BuildOutput.RepositoryRoot(), "docs", "schemas");

    /// <param name="schema">A file of docs/schemas/, optionally with a fragment: <c>api-targets.schema.json#/$defs/target</c>.</param>
    /// <returns>One line per violation; empty when the document keeps the contract.</returns>
    public static async Task<string> ProblemsAsync(string schema, string document)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var hash = schema.IndexOf('#', StringComparison.Ordinal);
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Validate);
        info.ArgumentList.Add(Directory);
        info.ArgumentList.Add(hash < 0 ? schema : schema[..hash]);
        info.ArgumentList.Add(hash < 0 ? string.Empty : schema[hash..]);
        info.Environment["PYTHONWARNINGS"] = "ignore::DeprecationWarning";
        using var python = Process.Start(info)!;
        await python.StandardInput.WriteAsync(document);
        python.StandardInput.Close();
        var output = python.StandardOutput.ReadToEndAsync();
        var error = await python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync();
        return python.ExitCode == 0 ? (await output).Trim() : $"the validator failed (exit {python.ExitCode}): {error.Trim()}";
    }

    /// <summary>
    /// The <c>\uXXXX</c> escapes in a JSON text that stand for a printable character (<c>\u0027</c> for <c>'</c>,
    /// <c>\u002B</c> for <c>+</c>, <c>\u2013</c> for <c>–</c>): what the default encoder writes and the dialect does not.
    /// Control characters (below U+0020) must stay escaped and are not counted.
    /// </summary>
    public static IReadOnlyList<string> NeedlessEscapes(string json) =>
        Escape().Matches(json ?? string.Empty)
            .Where(m => !IsBackslashEscaped(json!, m.Index) && Convert.ToInt32(m.Groups[1].Value, 16) >= 0x20)
            .Select(m => m.Value)
            .Distinct(StringComparer.Ordinal)
            .ToList();

    /// <summary>A <c>\u</c> preceded by an odd run of backslashes is a literal backslash followed by <c>u</c>, not an escape.</summary>
    private static bool IsBackslashEscaped(string text, int index)
    {
        var run = 0;
        for (var i = index - 1; i >= 0 && text[i] == '\\'; i--)
        {
            run++;
        }

        return run % 2 == 1;
    }

    [GeneratedRegex(@"\\u([0-9A-Fa-f]{4})")]
    private static partial Regex Escape();
}
