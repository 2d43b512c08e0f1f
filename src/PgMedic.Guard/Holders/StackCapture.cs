using System.Diagnostics;
using System.Runtime.CompilerServices;
using PgMedic.Guard.Configuration;

namespace PgMedic.Guard.Holders;

/// <summary>
/// Decides which checkouts capture a stack trace. The walk happens at checkout; turning it into text
/// (which reads symbol files) waits until someone asks for the holder.
/// </summary>
internal sealed class StackCapture(StackTraceMode mode, int sampleRate)
{
    private long _count;

    [MethodImpl(MethodImplOptions.NoInlining)]
    public StackTrace? Capture()
    {
        switch (mode)
        {
            case StackTraceMode.All:
                return Walk();
            case StackTraceMode.Sampled when Interlocked.Increment(ref _count) % sampleRate == 0:
                return Walk();
            default:
                return null;
        }
    }

    // Skips Walk, Capture and GuardedDataSource.OpenConnectionAsync (none inlined) so that the first frame is the caller's.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static StackTrace Walk() => new(skipFrames: 3, fNeedFileInfo: true);
}
