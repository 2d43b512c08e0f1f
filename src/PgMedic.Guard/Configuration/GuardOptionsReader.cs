using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace PgMedic.Guard.Configuration;

/// <summary>
/// Reads <see cref="GuardOptions"/> from the runbook's environment variables or from
/// <see cref="IConfiguration"/>. Every unreadable value is reported at once, by variable name, with
/// the value given (a URL masked) and what is allowed.
/// </summary>
public static class GuardOptionsReader
{
    /// <summary>The configuration section whose keys are <see cref="GuardOptions"/> property names.</summary>
    public const string SectionName = "PgMedic:Guard";

    /// <summary>Reads the process environment.</summary>
    /// <exception cref="GuardConfigurationException">A value is missing, unreadable or out of range.</exception>
    public static GuardOptions FromEnvironment() => Read(Environment.GetEnvironmentVariable, new GuardOptions(), validate: true);

    /// <summary>
    /// Reads the <c>PgMedic:Guard</c> section (keys named like the properties) and then the
    /// <c>DATABASE_*</c> / <c>MAINTENANCE_MODE</c> keys at the root, which win: in ASP.NET Core those
    /// are the environment variables.
    /// </summary>
    /// <exception cref="GuardConfigurationException">A value is missing, unreadable or out of range.</exception>
    public static GuardOptions FromConfiguration(IConfiguration configuration, Action<GuardOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection(SectionName);
        var options = new GuardOptions();
        var errors = new List<string>();
        ReadInto(key => section[PropertyFor(key)], options, errors, section.Path + ":");
        ReadInto(key => configuration[key], options, errors, prefix: null);
        configure?.Invoke(options);
        errors.AddRange(options.Validate());
        return errors.Count == 0 ? options : throw new GuardConfigurationException(errors);
    }

    /// <summary>Reads from any lookup (variable name to value); used by tests and by hosts with their own settings store.</summary>
    /// <exception cref="GuardConfigurationException">A value is missing, unreadable or out of range.</exception>
    public static GuardOptions Read(Func<string, string?> lookup, GuardOptions? into = null, bool validate = true)
    {
        ArgumentNullException.ThrowIfNull(lookup);
        var options = into ?? new GuardOptions();
        var errors = new List<string>();
        ReadInto(lookup, options, errors, prefix: null);
        if (validate)
        {
            errors.AddRange(options.Validate());
        }

        return errors.Count == 0 ? options : throw new GuardConfigurationException(errors);
    }

    private static void ReadInto(Func<string, string?> lookup, GuardOptions options, List<string> errors, string? prefix)
    {
        string Name(string variable) => prefix is null ? variable : prefix + PropertyFor(variable);

        if (Value(lookup, GuardVariables.DatabaseUrl) is { } url)
        {
            options.ConnectionString = url;
            if (!DatabaseUrl.TryToConnectionString(url, out _, out var problem))
            {
                errors.Add($"{Name(GuardVariables.DatabaseUrl)}='{DatabaseUrl.Mask(url)}' is not allowed: {problem}");
            }
        }

        Int(GuardVariables.PoolSize, 1, v => options.PoolSize = v);
        Int(GuardVariables.MaxOverflow, 0, v => options.MaxOverflow = v);
        Seconds(GuardVariables.PoolTimeout, allowOff: false, v => options.PoolTimeout = v);
        Seconds(GuardVariables.PoolRecycle, allowOff: true, v => options.PoolRecycle = v);
        Seconds(GuardVariables.ConnectTimeout, allowOff: false, v => options.ConnectTimeout = v);
        Seconds(GuardVariables.CommandTimeout, allowOff: true, v => options.CommandTimeout = v);
        Seconds(GuardVariables.LeakThreshold, allowOff: true, v => options.LeakThreshold = v);
        Bool(GuardVariables.PoolPrePing, v => options.PrePing = v);
        Bool(GuardVariables.EchoPool, v => options.EchoPool = v);
        Bool(GuardVariables.MaintenanceMode, v => options.MaintenanceMode = v);
        if (Value(lookup, GuardVariables.LeakStackTraces) is { } traces)
        {
            if (TryParseStackTraces(traces, out var mode, out var rate))
            {
                options.StackTraces = mode;
                options.StackTraceSampleRate = rate ?? options.StackTraceSampleRate;
            }
            else
            {
                errors.Add($"{Name(GuardVariables.LeakStackTraces)}='{traces}' is not allowed: use off, all, or a whole number N to capture one checkout in N");
            }
        }

        void Int(string variable, int min, Action<int> set)
        {
            if (Value(lookup, variable) is not { } text)
            {
                return;
            }

            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= Limits.MaxPoolSize)
            {
                set(value);
            }
            else
            {
                errors.Add(string.Create(CultureInfo.InvariantCulture, $"{Name(variable)}='{text}' is not allowed: use a whole number from {min} to {Limits.MaxPoolSize}"));
            }
        }

        void Seconds(string variable, bool allowOff, Action<TimeSpan> set)
        {
            if (Value(lookup, variable) is not { } text)
            {
                return;
            }

            if (SettingParser.TryParseDuration(text, allowOff, out var value))
            {
                set(value);
            }
            else
            {
                var off = allowOff ? " (0 or -1 turns it off)" : string.Empty;
                errors.Add($"{Name(variable)}='{text}' is not allowed: use seconds like 30, or 500ms, 30s, 5m, 1h30m, 7d, or 00:00:30{off}");
            }
        }

        void Bool(string variable, Action<bool> set)
        {
            if (Value(lookup, variable) is not { } text)
            {
                return;
            }

            if (SettingParser.TryParseBool(text, out var value))
            {
                set(value);
            }
            else
            {
                errors.Add($"{Name(variable)}='{text}' is not allowed: use true or false (also 1/0, yes/no, on/off)");
            }
        }
    }

    private static string? Value(Func<string, string?> lookup, string variable)
    {
        var value = lookup(variable);
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    private static bool TryParseStackTraces(string text, out StackTraceMode mode, out int? rate)
    {
        rate = null;
        switch (text.ToLowerInvariant())
        {
            case "off" or "none" or "false" or "0":
                mode = StackTraceMode.Off;
                return true;
            case "all" or "true" or "1":
                mode = StackTraceMode.All;
                return true;
        }

        mode = StackTraceMode.Sampled;
        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n > 1)
        {
            rate = n;
            return true;
        }

        return false;
    }

    // Section keys are the property names: DATABASE_POOL_SIZE is PgMedic:Guard:PoolSize.
    private static string PropertyFor(string variable) => variable switch
    {
        GuardVariables.DatabaseUrl => nameof(GuardOptions.ConnectionString),
        GuardVariables.PoolSize => nameof(GuardOptions.PoolSize),
        GuardVariables.MaxOverflow => nameof(GuardOptions.MaxOverflow),
        GuardVariables.PoolTimeout => nameof(GuardOptions.PoolTimeout),
        GuardVariables.PoolRecycle => nameof(GuardOptions.PoolRecycle),
        GuardVariables.ConnectTimeout => nameof(GuardOptions.ConnectTimeout),
        GuardVariables.CommandTimeout => nameof(GuardOptions.CommandTimeout),
        GuardVariables.PoolPrePing => nameof(GuardOptions.PrePing),
        GuardVariables.EchoPool => nameof(GuardOptions.EchoPool),
        GuardVariables.MaintenanceMode => nameof(GuardOptions.MaintenanceMode),
        GuardVariables.LeakThreshold => nameof(GuardOptions.LeakThreshold),
        GuardVariables.LeakStackTraces => nameof(GuardOptions.StackTraces),
        _ => variable,
    };
}
