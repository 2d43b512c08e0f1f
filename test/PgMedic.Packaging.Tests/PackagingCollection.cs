using PgMedic.Testing;

namespace PgMedic.Packaging.Tests;

/// <summary>
/// Every packaging test in one collection: they run one at a time (the .deb tests install into this machine
/// with dpkg) and share one real PostgreSQL sandbox to probe.
/// </summary>
[CollectionDefinition(Name)]
public sealed class PackagingCollection : ICollectionFixture<SandboxFixture>
{
    public const string Name = "packaging";
}
