using System.Reflection;
using System.Runtime.InteropServices;

namespace PgMedic.Monitor.History;

/// <summary>
/// Where SQLite's native code comes from. First the bundle's own <c>e_sqlite3</c> — beside the native
/// <c>pgmedic</c> (<c>libe_sqlite3.so</c>, which the publish puts there), or in the framework-dependent
/// build's <c>runtimes/</c> folder — then the system's SQLite (Debian's <c>libsqlite3-0</c>), so a lone
/// native <c>pgmedic</c> copied onto a box still keeps its history. Both export the same <c>sqlite3_*</c>
/// functions; e_sqlite3 is SQLite built under another file name.
/// </summary>
internal static class SqliteLibrary
{
    private const string BundledName = "e_sqlite3";

    private static readonly string[] SystemNames =
        OperatingSystem.IsLinux() ? ["libsqlite3.so.0"] : OperatingSystem.IsMacOS() ? ["libsqlite3.dylib"] : [];

    private static int _registered;

    [ThreadStatic]
    private static bool _probingBundled;

    /// <summary>Installs the resolver once per process, before the first SQLite call.</summary>
    public static void Register()
    {
        if (Interlocked.Exchange(ref _registered, 1) == 0)
        {
            NativeLibrary.SetDllImportResolver(typeof(SQLitePCL.SQLite3Provider_e_sqlite3).Assembly, Resolve);
        }
    }

    private static IntPtr Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (libraryName != BundledName || _probingBundled)
        {
            return IntPtr.Zero;
        }

        _probingBundled = true;
        try
        {
            if (NativeLibrary.TryLoad(libraryName, assembly, searchPath, out var bundled))
            {
                return bundled;
            }
        }
        finally
        {
            _probingBundled = false;
        }

        foreach (var name in SystemNames)
        {
            if (NativeLibrary.TryLoad(name, out var system))
            {
                return system;
            }
        }

        // Zero: the runtime's own probing runs and reports every path it tried.
        return IntPtr.Zero;
    }
}
