using PgMedic.Testing;

namespace PgMedic.Cli.Tests;

[CollectionDefinition(Name)]
public sealed class SandboxCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "sandbox";
}
