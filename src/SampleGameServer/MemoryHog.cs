using System.Runtime.InteropServices;

namespace SampleGameServer;

/// <summary>
/// Holds a chosen amount of resident memory (the <c>alloc &lt;MB&gt;</c> command), so tests and demos can watch RSS grow.
/// Native memory, not managed arrays: in a memory cgroup .NET caps its GC heap below the limit and would throw
/// OutOfMemoryException, while a game server's native allocations meet the kernel's OOM killer, which is what this is
/// for. Every page is written: fresh allocations come from zeroed anonymous pages that count towards RSS only once touched.
/// </summary>
public sealed class MemoryHog
{
    public const int MaxMegabytes = 4096;
    private const int PageSize = 4096;
    private const int ChunkBytes = 1024 * 1024;

    private readonly Lock sync = new();
    private readonly List<nint> held = [];

    public int HeldMegabytes
    {
        get
        {
            lock (sync)
            {
                return held.Count;
            }
        }
    }

    /// <summary>Holds exactly <paramref name="megabytes"/> MB from now on (0 lets go of everything).</summary>
    public void Hold(int megabytes)
    {
        lock (sync)
        {
            while (held.Count > megabytes)
            {
                Marshal.FreeHGlobal(held[^1]);
                held.RemoveAt(held.Count - 1);
            }

            while (held.Count < megabytes)
            {
                var chunk = Marshal.AllocHGlobal(ChunkBytes);
                for (var offset = 0; offset < ChunkBytes; offset += PageSize)
                {
                    Marshal.WriteByte(chunk, offset, 1);
                }

                held.Add(chunk);
            }
        }
    }
}
