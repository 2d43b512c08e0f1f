using System.Diagnostics;
using PgMedic.Testing;

namespace PgMedic.Guard.Tests.Endpoints;

/// <summary>
/// Validates a <c>/health/pool</c> document against docs/schemas/pool-endpoint.schema.json with Debian's
/// python3-jsonschema — the same validator the Python package's tests use on its own documents, so both
/// implementations are held to the one contract.
/// </summary>
internal static class PoolEndpointSchema
{
    private const string Validate = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
        for error in validator.iter_errors(json.load(sys.stdin)):
            print(f"{'/'.join(map(str, error.absolute_path)) or '(root)'}: {error.message}")
        """;

    /// <returns>One line per violation; empty when the document keeps the contract.</returns>
    public static async Task<string> ProblemsAsync(string document)
    {
        var schema = Path.Combine(BuildOutput.RepositoryRoot(), "docs", "schemas", "pool-endpoint.schema.json");
        var info = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(Validate);
        info.ArgumentList.Add(schema);
        using var python = Process.Start(info)!;
        await python.StandardInput.WriteAsync(document);
        python.StandardInput.Close();
        var output = await python.StandardOutput.ReadToEndAsync();
        var error = await python.StandardError.ReadToEndAsync();
        await python.WaitForExitAsync();
        return python.ExitCode == 0 ? output.Trim() : $"the validator failed (exit {python.ExitCode}): {error.Trim()}";
    }
}
