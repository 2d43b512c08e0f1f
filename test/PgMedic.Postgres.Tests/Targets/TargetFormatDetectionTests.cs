using PgMedic.Postgres.Targets;

namespace PgMedic.Postgres.Tests.Targets;

public sealed class TargetFormatDetectionTests
{
    [Theory]
    [InlineData("postgres://db", nameof(TargetFormat.Url))]
    [InlineData("postgresql://db", nameof(TargetFormat.Url))]
    [InlineData("Postgres://db/a;b", nameof(TargetFormat.Url))]
    [InlineData("host=db", nameof(TargetFormat.Conninfo))]
    [InlineData("dbname=shop user=app", nameof(TargetFormat.Conninfo))]
    [InlineData("host=db password='a;b'", nameof(TargetFormat.Conninfo))]
    [InlineData(@"host=db password='it\'s;x'", nameof(TargetFormat.Conninfo))]
    [InlineData("Host=db Port=5432", nameof(TargetFormat.Conninfo))]
    [InlineData("nosuch=1", nameof(TargetFormat.Conninfo))]
    [InlineData("Host=db;Port=5432", nameof(TargetFormat.NpgsqlConnectionString))]
    [InlineData("host=db;port=5432", nameof(TargetFormat.NpgsqlConnectionString))]
    [InlineData("Host=db", nameof(TargetFormat.NpgsqlConnectionString))]
    [InlineData("Server=db", nameof(TargetFormat.NpgsqlConnectionString))]
    [InlineData("User Id=app", nameof(TargetFormat.NpgsqlConnectionString))]
    [InlineData("Password='a;b'", nameof(TargetFormat.NpgsqlConnectionString))]
    [InlineData("Password=it's;Host=db", nameof(TargetFormat.NpgsqlConnectionString))]
    public void Detect_Text_PicksTheForm(string text, string expected)
    {
        Assert.Equal(expected, TargetParser.Detect(text).ToString());
    }
}
