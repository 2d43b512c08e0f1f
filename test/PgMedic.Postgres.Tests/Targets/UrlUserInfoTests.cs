using PgMedic.Shared;

namespace PgMedic.Postgres.Tests.Targets;

/// <summary>The shared credentials reader (src/Shared/UrlUserInfo.cs, compiled into Postgres and Guard), tested once, here.</summary>
public sealed class UrlUserInfoTests
{
    [Theory]
    [InlineData("postgres://app:p@ss@db:5432/shop", "postgres", "app:p@ss", "db:5432/shop")]
    [InlineData("postgresql://app@db/shop", "postgresql", "app", "db/shop")]
    [InlineData("http://svc:8080/health/pool", "http", null, "svc:8080/health/pool")]
    [InlineData("http://user:pw@svc/health/pool?x=a@b", "http", "user:pw", "svc/health/pool?x=a@b")]
    public void TrySplit_Url_CredentialsEndAtTheLastAtBeforeThePath(string url, string scheme, string? userInfo, string rest)
    {
        Assert.True(UrlUserInfo.TrySplit(url, out var s, out var u, out var r));
        Assert.Equal((scheme, userInfo, rest), (s, u, r));
    }

    [Theory]
    [InlineData("app:s3cret", "app", "s3cret")]
    [InlineData("app:", "app", "")]
    [InlineData("app", "app", null)]
    [InlineData("app:a:b", "app", "a:b")]
    public void Split_UserInfo_UserAndPassword(string userInfo, string user, string? password) =>
        Assert.Equal((user, password), UrlUserInfo.Split(userInfo));

    [Theory]
    [InlineData("http://svc:Pw%40rd@host:8080/health/pool", "http://svc:***@host:8080/health/pool")]
    [InlineData("postgres://app:p@ss@db/shop?sslmode=require&password=x", "postgres://app:***@db/shop?…")]
    [InlineData("http://host/health/pool", "http://host/health/pool")]
    [InlineData("http://user@host/x", "http://user@host/x")]
    [InlineData("not a url", "not a url")]
    public void Mask_Url_NoPasswordNorQueryShown(string url, string masked) => Assert.Equal(masked, UrlUserInfo.Mask(url));
}
