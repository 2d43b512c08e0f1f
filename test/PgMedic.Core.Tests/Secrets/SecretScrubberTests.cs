using System.Text;
using PgMedic.Core.Secrets;

namespace PgMedic.Core.Tests.Secrets;

public sealed class SecretScrubberTests
{
    private const string Password = "S3cr€t:@/ 'q\"%x+";

    public static TheoryData<string> Encodings => new()
    {
        Password,
        Uri.EscapeDataString(Password),
        System.Text.RegularExpressions.Regex.Replace(Uri.EscapeDataString(Password), "%[0-9A-F]{2}", m => m.Value.ToLowerInvariant()),
        System.Net.WebUtility.UrlEncode(Password),
        Password.Replace("'", "''", StringComparison.Ordinal),
        System.Text.Json.JsonSerializer.Serialize(Password).Trim('"'),
        Convert.ToBase64String(Encoding.UTF8.GetBytes(Password)),
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Scrub_KnownPasswordInAnyEncoding_Gone(string form)
    {
        var scrubber = new SecretScrubber(Password);

        var shown = scrubber.Scrub($"hook said: deploying with {form} now");

        Assert.DoesNotContain(form, shown, StringComparison.Ordinal);
        Assert.Equal("hook said: deploying with *** now", shown);
    }

    [Theory]
    [InlineData("ALTER ROLE app PASSWORD 'hunter2-long'", "ALTER ROLE app PASSWORD '***'")]
    [InlineData("alter user app with encrypted password 'hunter2-long' valid until 'infinity'", "alter user app with encrypted password '***' valid until 'infinity'")]
    [InlineData("CREATE ROLE ops LOGIN PASSWORD 'it''s-hunter2'", "CREATE ROLE ops LOGIN PASSWORD '***'")]
    [InlineData("ALTER ROLE app PASSWORD E'hunter2\\'x'", "ALTER ROLE app PASSWORD '***'")]
    [InlineData("ALTER ROLE app PASSWORD $pw$hunter2-long$pw$", "ALTER ROLE app PASSWORD '***'")]
    [InlineData("CREATE USER MAPPING FOR app SERVER remote OPTIONS (user 'app', password 'hunter2-long')", "CREATE USER MAPPING FOR app SERVER remote OPTIONS (user 'app', password '***')")]
    [InlineData("SELECT dblink_connect('host=db user=app password=hunter2-long dbname=shop')", "SELECT dblink_connect('host=db user=app password=*** dbname=shop')")]
    [InlineData("SELECT * FROM dblink('postgres://app:hunter2-long@db/shop', 'select 1')", "SELECT * FROM dblink('postgres://app:***@db/shop', 'select 1')")]
    [InlineData("ALTER ROLE app PASSWORD 'hunter2-cut-off-by-track_activity_query_si", "ALTER ROLE app PASSWORD '***'")]
    public void Scrub_PasswordInSqlText_Masked(string sql, string expected)
    {
        Assert.Equal(expected, SecretScrubber.None.Scrub(sql));
        Assert.DoesNotContain("hunter2", SecretText.Scrub(sql), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("SELECT * FROM accounts WHERE id = $1")]
    [InlineData("UPDATE users SET password_hash = $1 WHERE id = $2")]
    [InlineData("SELECT passwordless FROM settings")]
    public void Scrub_SqlWithoutPassword_Unchanged(string sql) =>
        Assert.Equal(sql, SecretScrubber.None.Scrub(sql));

    [Fact]
    public void Scrub_VeryShortSecret_LeftToTheShapeRulesSoTextStaysReadable()
    {
        var scrubber = new SecretScrubber("ab");

        Assert.Equal("about tables", scrubber.Scrub("about tables"));
        Assert.Equal("postgres://app:***@db/shop", scrubber.Scrub("postgres://app:ab@db/shop"));
    }
}
