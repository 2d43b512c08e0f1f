namespace PgMedic.Postgres.Targets;

internal enum TargetFormat
{
    Url,
    Conninfo,
    NpgsqlConnectionString,
}
