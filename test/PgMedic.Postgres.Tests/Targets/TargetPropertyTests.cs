using CsCheck;
using Npgsql;
using PgMedic.Postgres.Targets;

namespace PgMedic.Postgres.Tests.Targets;

/// <summary>
/// The target parsers on generated input: whatever a user types, the answer is a target or a
/// <see cref="TargetException"/> (one line, exit 3), never another exception; what is written is read
/// back; the masked form never shows the password.
/// </summary>
public sealed class TargetPropertyTests
{
    public const int Iterations = 20_000;

    private const string Awkward = "postgres://:@/?=&%;'\"\\ \t\n\0#*[]{}abcXYZ019-_.é€\u202e";

    private static readonly Gen<string> Noise = Gen.Char[Awkward].Array[0, 60].Select(c => new string(c));

    private static readonly Gen<string> Shaped = Gen.Select(
        Gen.OneOf("postgres://", "postgresql://", "host=", "Host=", "user=", "dbname=", "Server=", "password=", ""),
        Noise,
        Gen.OneOf("@", ":", "/", " port=", ";Port=", "?sslmode=", ""),
        Noise,
        (a, b, c, d) => a + b + c + d);

    private static readonly Gen<string> Secret = Gen.Char["abcXYZ019 :@/?#%'\"\\;=&+é€"].Array[6, 24].Select(c => new string(c));

    private static readonly Gen<string> Name = Gen.Char["abcdefghijklmnopqrstuvwxyz0123456789_"].Array[1, 16].Select(c => "n" + new string(c));

    [Fact]
    public void AnyText_ResolvesOrIsATargetException_AndTheMaskHidesThePassword() =>
        Gen.OneOf(Noise, Shaped).Sample(text =>
        {
            ConnectionTarget target;
            try
            {
                target = TargetTestKit.Target(text);
            }
            catch (TargetException)
            {
                return;
            }

            if (target.Password is { Length: >= 6 } password && !Others(target).Any(o => o.Contains(password, StringComparison.Ordinal)))
            {
                Assert.DoesNotContain(password, target.Masked, StringComparison.Ordinal);
            }
        }, iter: Iterations);

    [Fact]
    public void Url_WrittenWithAnyCredentials_ReadBackExactly() =>
        Gen.Select(Name, Secret, Name, Gen.Int[1, 65535], Name).Sample((user, password, host, port, database) =>
        {
            var url = $"postgres://{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password)}@{host}:{port}/{Uri.EscapeDataString(database)}";

            var target = TargetTestKit.Target(url);

            Assert.Equal((user, password, host, port, database), (target.User, target.Password, target.Host, target.Port, target.Database));
            Assert.DoesNotContain(password, target.Masked, StringComparison.Ordinal);
        }, iter: Iterations);

    [Fact]
    public void Conninfo_QuotedValues_ReadBackExactly() =>
        Gen.Select(Name, Secret, Name, Gen.Int[1, 65535], Name).Sample((user, password, host, port, database) =>
        {
            static string Quote(string value) => "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";
            var conninfo = $"host={host} port={port} user={Quote(user)} password={Quote(password)} dbname={Quote(database)}";

            var target = TargetTestKit.Target(conninfo);

            Assert.Equal((user, password, host, port, database), (target.User, target.Password, target.Host, target.Port, target.Database));
        }, iter: Iterations);

    [Fact]
    public void NpgsqlString_BuiltByNpgsql_ReadBackExactly() =>
        Gen.Select(Name, Secret, Name, Gen.Int[1, 65535], Name).Sample((user, password, host, port, database) =>
        {
            var text = new NpgsqlConnectionStringBuilder { Host = host, Port = port, Username = user, Password = password, Database = database }.ConnectionString;

            var target = TargetTestKit.Target(text);

            Assert.Equal((user, password, host, port, database), (target.User, target.Password, target.Host, target.Port, target.Database));
        }, iter: Iterations);

    [Fact]
    public void PasswordFile_AnyLines_NeverThrows_AndAnEscapedLineIsFoundExactly() =>
        Gen.Select(Noise.Array[0, 6], Name, Secret).Sample((lines, user, password) =>
        {
            static string Escape(string field) => field.Replace("\\", "\\\\", StringComparison.Ordinal).Replace(":", "\\:", StringComparison.Ordinal);
            var key = new PasswordFileKey("db", 5432, "shop", user);

            _ = PasswordFile.Find(lines.SelectMany(l => l.Split('\n')), key);
            var found = PasswordFile.Find([$"db:5432:shop:{Escape(user)}:{Escape(password)}", .. lines], key);

            Assert.Equal(password, found);
        }, iter: Iterations);

    private static IEnumerable<string> Others(ConnectionTarget target) =>
        new[] { target.User, target.Host, target.Database, target.ApplicationName, target.SslMode }.OfType<string>();
}
