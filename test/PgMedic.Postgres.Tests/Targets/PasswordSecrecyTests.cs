using PgMedic.Postgres.Targets;
using static PgMedic.Postgres.Tests.Targets.TargetTestKit;

namespace PgMedic.Postgres.Tests.Targets;

/// <summary>The password is in no text a target or a failure produces, whatever form it came in.</summary>
public sealed class PasswordSecrecyTests
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Valid inputs whose password is <see cref="TargetTestKit.Secret"/>.</summary>
    public static TheoryData<string?, string> ValidTargets => new()
    {
        { $"postgres://app:{Secret}@db:5432/shop", "" },
        { $"postgresql://app:{Secret}@[::1]:5433/shop?sslmode=require", "" },
        { $"postgres:///shop?host=/var/run/postgresql&user=app&password={Secret}", "" },
        { $"host=db user=app password={Secret} dbname=shop", "" },
        { $"host=db user=app password='{Secret}' dbname=shop", "" },
        { $"Host=db;Username=app;Password={Secret};Database=shop", "" },
        { $"Server=db;User Id=app;PWD=\"{Secret}\";Pooling=false", "" },
        { "host=db user=app", $"PGPASSWORD={Secret}" },
        { null, $"DATABASE_URL=postgres://app:{Secret}@db/shop" },
        { null, $"PGHOST=db|PGUSER=app|PGPASSWORD={Secret}" },
    };

    /// <summary>Malformed inputs holding the password (or, split by the mistake, pieces of it).</summary>
    public static TheoryData<string?, string, string> MalformedTargets => new()
    {
        // URLs: the mistake is elsewhere, so the password must not be quoted with it.
        { $"postgres://app:{Secret}@db:abc/shop", "", Secret },
        { $"postgres://app:{Secret}@h1,h2/shop", "", Secret },
        { $"postgres://app:{Secret}@[::1/shop", "", Secret },
        { $"postgres://app:{Secret}@db/shop?sslmode=bad", "", Secret },
        { $"postgres://app:{Secret}@db/shop?nosuch=1", "", Secret },
        { $"postgres://app:{Secret}@db/sh%zz", "", Secret },
        { $"postgres://app:{Secret}%zz@db/shop", "", Secret },
        { $"postgres://app:{Secret}%00@db/shop", "", Secret },
        { $"postgres://app:{Secret}%C3%28@db/shop", "", Secret },
        { $"postgres://db/shop?password={Secret}%zz", "", Secret },
        { $"postgres://db/shop?password={Secret}&port=x", "", Secret },
        { $"postgres://db/shop?password:{Secret}", "", Secret },
        { $"postgres://db/shop?{Secret}", "", Secret },
        { $"mysql://app:{Secret}@db/shop", "", Secret },
        { $"app:{Secret}@db/shop", "", Secret },

        // URLs where the password itself causes the mistake.
        { $"postgres://app:x/{Secret}@db/shop", "", Secret },
        { $"postgres://app:{Secret}/x@db/shop", "", Secret },
        { $"postgres://app:{Secret}", "", Secret },
        { $"postgres://app:{Secret}/shop", "", Secret },
        { "postgres://app:99999/shop", "", "99999" },
        { $"postgres://app:{Secret}:x/shop", "", Secret },
        { $"postgres://app:{Secret},x/shop", "", Secret },
        { $"postgres://app:{Secret}]/shop", "", Secret },

        // Conninfo.
        { $"host=db password={Secret} port=abc", "", Secret },
        { $"host=db password='{Secret}' sslmode=bad", "", Secret },
        { $"host=db password='{Secret}", "", Secret },
        { $"host=db password='{Secret}\\'", "", Secret },
        { $"host=db password={Secret} more words", "", "more|words" },
        { $"host=db password={Secret} extra=1", "", "extra" },
        { $"host=db password={Secret} host=a,b", "", Secret },
        { $"host=db paswd={Secret}", "", Secret },

        // Npgsql connection strings.
        { $"Host=db;Password={Secret};Port=abc", "", Secret },
        { $"Host=db;Password={Secret};Port=70000", "", Secret },
        { $"Host=db;Password={Secret};SSL Mode=bad", "", Secret },
        { $"Host=db;Pasword={Secret}", "", Secret },
        { $"Host=db;Password=\"{Secret}", "", Secret },
        { $"Host=db;Password={Secret}\"", "", Secret },
        { $"Host=a,b;Password={Secret}", "", Secret },
        { "Host=db;Password=s3cr3t;pw;Port=5", "", "s3cr3t|pw" },
        { "Host=db;Password=s3cr3t;pw=x", "", "s3cr3t|pw" },

        // The environment.
        { "host=db", $"PGPASSWORD={Secret}|PGPORT=abc", Secret },
        { null, $"DATABASE_URL=postgres://app:{Secret}@db:abc/shop", Secret },
        { null, $"DATABASE_URL=postgres://app:{Secret}", Secret },
        { null, $"DATABASE_URL=host=db password='{Secret}", Secret },
    };

    [Theory]
    [MemberData(nameof(ValidTargets))]
    public void Masked_AnyForm_HidesThePassword(string? argument, string environment)
    {
        var result = Resolve(argument, environment);
        var target = result.Target;

        Assert.Equal(Secret, target.Password);
        Assert.DoesNotContain(Secret, target.Masked, StringComparison.Ordinal);
        Assert.Contains(":***@", target.Masked, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, target.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, target.WithDatabase("other").ToString(), StringComparison.Ordinal);
        Assert.All(result.Warnings, warning => Assert.DoesNotContain(Secret, warning, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(MalformedTargets))]
    public void Resolve_MalformedInputHoldingPassword_MessageNeverShowsIt(string? argument, string environment, string secrets)
    {
        var e = Failure(argument, environment);

        foreach (var secret in secrets.Split('|'))
        {
            Assert.DoesNotContain(secret, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, e.ToString(), StringComparison.Ordinal);
        }

        Assert.Null(e.InnerException);
    }

    [Fact]
    public void Masked_PasswordFromFile_IsHiddenToo()
    {
        using var home = new TempDirectory();
        home.WriteFile(".pgpass", $"*:*:*:*:{Secret}\n", OwnerOnly);

        var target = Target("postgres://app@db/shop", home: home.Path);

        Assert.Equal(Secret, target.Password);
        Assert.Equal("postgres://app:***@db:5432/shop", target.Masked);
        Assert.DoesNotContain(Secret, target.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Masked_ExactForm_MatchesTheDesign()
    {
        Assert.Equal("postgres://app:***@db:5432/shop", Target($"postgres://app:{Secret}@db/shop").Masked);
    }
}
