namespace PgMedic.Cli.Output;

internal enum OutputFormat
{
    Table,
    Json,
    Markdown,
}
