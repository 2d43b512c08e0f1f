using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Spectre.Console;

namespace PgMedic.Cli.Output;

/// <summary>The <c>--format</c> switch, once: JSON through the source-generated context, markdown and table by each command's renderer.</summary>
internal static class Formats
{
    public static void Write<T>(T document, OutputFormat format, CliContext context, JsonTypeInfo<T> json, Action<T, TextWriter> markdown, Action<T, IAnsiConsole> table)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(markdown);
        ArgumentNullException.ThrowIfNull(table);
        switch (format)
        {
            case OutputFormat.Json:
                context.Out.WriteLine(JsonSerializer.Serialize(document, json));
                break;
            case OutputFormat.Markdown:
                markdown(document, context.Out);
                break;
            default:
                table(document, Terminal.For(context));
                break;
        }
    }
}
