using System.Buffers.Binary;
using System.Text;

namespace PgMedic.Postgres.Wire;

/// <summary>
/// The few frontend/backend protocol messages PgMedic builds and reads itself, without Npgsql: the PgBouncer
/// admin console (<c>SimpleQueryConnection</c>) and the monitor's repeated login probe (<c>RepeatedProber</c>).
/// </summary>
internal static class WireMessages
{
    public const int ProtocolVersion = 196608;

    /// <summary>A StartupMessage: length, protocol 3.0, then name/value pairs, each NUL-terminated, and a final NUL.</summary>
    public static byte[] Startup(params (string Name, string Value)[] parameters)
    {
        var body = new List<byte>();
        foreach (var (name, value) in parameters)
        {
            body.AddRange(Cstring(name));
            body.AddRange(Cstring(value));
        }

        body.Add(0);
        var message = new byte[8 + body.Count];
        BinaryPrimitives.WriteInt32BigEndian(message, message.Length);
        BinaryPrimitives.WriteInt32BigEndian(message.AsSpan(4), ProtocolVersion);
        body.CopyTo(message, 8);
        return message;
    }

    /// <summary>A ParameterStatus body: the parameter's name and value.</summary>
    public static (string Name, string Value) ParameterStatus(byte[] body)
    {
        var end = Array.IndexOf(body, (byte)0);
        var valueEnd = Array.IndexOf(body, (byte)0, end + 1);
        return (Encoding.UTF8.GetString(body, 0, end), Encoding.UTF8.GetString(body, end + 1, Math.Max(0, valueEnd - end - 1)));
    }

    /// <summary>UTF-8 text with its terminating NUL.</summary>
    public static byte[] Cstring(string text)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(text) + 1];
        Encoding.UTF8.GetBytes(text, bytes);
        return bytes;
    }
}
