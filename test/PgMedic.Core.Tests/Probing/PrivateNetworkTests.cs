using PgMedic.Core.Platforms;
using PgMedic.Core.Probing;

namespace PgMedic.Core.Tests.Probing;

public sealed class PrivateNetworkTests
{
    [Theory]
    [InlineData("postgres.railway.internal", Platform.Railway, "postgres", null)]
    [InlineData("Postgres.Railway.Internal.", Platform.Railway, "postgres", null)]
    [InlineData("my-db.flycast", Platform.Fly, "my-db", null)]
    [InlineData("my-db.internal", Platform.Fly, "my-db", null)]
    [InlineData("iad.my-db.internal", Platform.Fly, "my-db", null)]
    [InlineData("top1.nearest.of.my-db.internal", Platform.Fly, "my-db", null)]
    [InlineData("4d891de2f66587.vm.my-db.internal", Platform.Fly, "my-db", null)]
    [InlineData("postgres.shop.svc.cluster.local", Platform.Kubernetes, "postgres", "shop")]
    [InlineData("postgres.shop.svc", Platform.Kubernetes, "postgres", "shop")]
    [InlineData("dpg-cq2abc8gph6c73f0aa1g-a", Platform.Render, "dpg-cq2abc8gph6c73f0aa1g-a", null)]
    public void Match_PlatformsPrivateNames_PlatformAndWhatTheNamePointsAt(string host, Platform platform, string service, string? ns)
    {
        var network = PrivateNetworks.Match(host);

        Assert.NotNull(network);
        Assert.Equal((platform, service, ns), (network.Platform, network.Service, network.Namespace));
    }

    [Theory]
    [InlineData("db.example.com")]
    [InlineData("localhost")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData("/var/run/postgresql")]
    [InlineData("ip-10-0-0-7.ec2.internal")]
    [InlineData("db.c.my-project.internal")]
    [InlineData("railway.internal")]
    [InlineData("dpg-abc-a.oregon-postgres.render.com")]
    [InlineData("")]
    [InlineData(null)]
    public void Match_AnyOtherName_Null(string? host) => Assert.Null(PrivateNetworks.Match(host));

    [Fact]
    public void Advice_DnsOnAPrivateName_SaysWhereItResolvesNotCheckDns()
    {
        var probe = new ProbeResult("t", ProbeOutcome.NoResponse, ProbeReason.Dns, null, "Name or service not known", null, null, null)
        {
            PrivateNetwork = PrivateNetworks.Match("postgres.railway.internal"),
        };

        Assert.Contains("only inside Railway's private network", probe.Advice, StringComparison.Ordinal);
        Assert.DoesNotContain("check the host", probe.Advice, StringComparison.Ordinal);
        Assert.Equal(Core.Common.ExitCode.Critical, probe.ExitCode);
    }

    [Fact]
    public void PlatformNames_EveryPlatform_ParsesBackFromItsName()
    {
        foreach (var platform in PlatformNames.All)
        {
            Assert.True(PlatformNames.TryParse(PlatformNames.Of(platform).ToUpperInvariant(), out var parsed));
            Assert.Equal(platform, parsed);
        }

        Assert.Equal(Enum.GetValues<Platform>().Length, PlatformNames.All.Count);
        Assert.False(PlatformNames.TryParse("vercel", out _));
    }
}
