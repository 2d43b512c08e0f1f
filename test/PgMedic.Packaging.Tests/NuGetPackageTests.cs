using System.IO.Compression;
using System.Xml.Linq;

namespace PgMedic.Packaging.Tests;

public sealed class NuGetPackageTests
{
    [Fact]
    public void GuardPackage_Packed_CarriesAssemblyXmlDocsAndNpgsqlDependency()
    {
        using var package = Open("PgMedic.Guard");

        Assert.NotNull(package.GetEntry("lib/net10.0/PgMedic.Guard.dll"));
        var docs = Read(package, "lib/net10.0/PgMedic.Guard.xml");
        Assert.Contains("<member name=\"T:PgMedic.Guard.GuardedDataSource\">", docs, StringComparison.Ordinal);
        Assert.Contains("<member name=\"T:PgMedic.Guard.Errors.PoolTimeoutException\">", docs, StringComparison.Ordinal);
        var metadata = Metadata(package, "PgMedic.Guard");
        Assert.Equal(Artifacts.Version, metadata.Elements().SingleOrDefault(e => e.Name.LocalName == "version")?.Value);
        Assert.Contains(Dependencies(metadata), d => d == "Npgsql");
    }

    [Fact]
    public void GuardAspNetCorePackage_Packed_DependsOnSameGuardVersionAndAspNetCore()
    {
        using var package = Open("PgMedic.Guard.AspNetCore");

        Assert.Contains("<member name=\"M:Microsoft.AspNetCore.Builder.GuardEndpoints.MapPgMedicGuard", Read(package, "lib/net10.0/PgMedic.Guard.AspNetCore.xml"), StringComparison.Ordinal);
        var metadata = Metadata(package, "PgMedic.Guard.AspNetCore");
        var guard = metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Single(d => (string?)d.Attribute("id") == "PgMedic.Guard");
        Assert.Equal(Artifacts.Version, (string?)guard.Attribute("version"));
        Assert.Contains(metadata.Descendants().Where(e => e.Name.LocalName == "frameworkReference"), f => (string?)f.Attribute("name") == "Microsoft.AspNetCore.App");
    }

    [Fact]
    public void ToolPackage_Packed_IsDotnetToolWithPgmedicCommand()
    {
        using var package = Open("pgmedic");

        var metadata = Metadata(package, "pgmedic");
        Assert.Contains(metadata.Descendants().Where(e => e.Name.LocalName == "packageType"), t => (string?)t.Attribute("name") == "DotnetTool");
        var settings = XDocument.Parse(Read(package, "tools/net10.0/any/DotnetToolSettings.xml"));
        var command = Assert.Single(settings.Descendants("Command"));
        Assert.Equal("pgmedic", (string?)command.Attribute("Name"));
        Assert.Equal("pgmedic.dll", (string?)command.Attribute("EntryPoint"));
    }

    private static ZipArchive Open(string id) => ZipFile.OpenRead(Artifacts.File(Path.Combine("nuget", $"{id}.{Artifacts.Version}.nupkg")));

    private static string Read(ZipArchive package, string entry)
    {
        var found = package.GetEntry(entry);
        Assert.True(found is not null, $"the package has no {entry}: {string.Join(", ", package.Entries.Select(e => e.FullName))}");
        using var reader = new StreamReader(found.Open());
        return reader.ReadToEnd();
    }

    private static XElement Metadata(ZipArchive package, string id) =>
        XDocument.Parse(Read(package, id + ".nuspec")).Root!.Elements().Single(e => e.Name.LocalName == "metadata");

    private static IEnumerable<string?> Dependencies(XElement metadata) =>
        metadata.Descendants().Where(e => e.Name.LocalName == "dependency").Select(d => (string?)d.Attribute("id"));
}
