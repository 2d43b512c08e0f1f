using System.Text.Json.Serialization;

namespace PgMedic.Core.Platforms;

/// <summary>Where the application runs: each has its own commands, configuration files and private network.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<Platform>))]
public enum Platform
{
    [JsonStringEnumMemberName("railway")]
    Railway,

    [JsonStringEnumMemberName("heroku")]
    Heroku,

    [JsonStringEnumMemberName("render")]
    Render,

    [JsonStringEnumMemberName("fly")]
    Fly,

    [JsonStringEnumMemberName("kubernetes")]
    Kubernetes,

    [JsonStringEnumMemberName("systemd")]
    Systemd,
}

/// <summary>The one spelling of each platform, in every door: <c>railway</c>, <c>fly</c>, <c>kubernetes</c>.</summary>
public static class PlatformNames
{
    public static IReadOnlyList<Platform> All { get; } = [Platform.Railway, Platform.Heroku, Platform.Render, Platform.Fly, Platform.Kubernetes, Platform.Systemd];

    public static string Of(Platform platform) => platform switch
    {
        Platform.Railway => "railway",
        Platform.Heroku => "heroku",
        Platform.Render => "render",
        Platform.Fly => "fly",
        Platform.Kubernetes => "kubernetes",
        _ => "systemd",
    };

    /// <summary>The platform's own name in prose: Railway, Fly.io, Kubernetes.</summary>
    public static string Title(Platform platform) => platform switch
    {
        Platform.Railway => "Railway",
        Platform.Heroku => "Heroku",
        Platform.Render => "Render",
        Platform.Fly => "Fly.io",
        Platform.Kubernetes => "Kubernetes",
        _ => "systemd",
    };

    public static bool TryParse(string? text, out Platform platform)
    {
        var name = text?.Trim();
        foreach (var candidate in All)
        {
            if (string.Equals(Of(candidate), name, StringComparison.OrdinalIgnoreCase))
            {
                platform = candidate;
                return true;
            }
        }

        platform = default;
        return false;
    }
}
