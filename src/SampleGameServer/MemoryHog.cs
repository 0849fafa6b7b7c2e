namespace SampleGameServer;

/// <summary>
/// Holds a chosen amount of resident memory (the <c>alloc &lt;MB&gt;</c> command), so tests and demos can watch RSS grow.
/// Every page is written: fresh large arrays come from zeroed anonymous pages that count towards RSS only once touched.
/// </summary>
public sealed class MemoryHog
{
    public const int MaxMegabytes = 4096;
    private const int PageSize = 4096;
    private const int ChunkBytes = 1024 * 1024;

    private readonly Lock sync = new();
    private List<byte[]> held = [];

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
            if (megabytes < held.Count)
            {
                held = held.Take(megabytes).ToList();
                GC.Collect();
                return;
            }

            while (held.Count < megabytes)
            {
                var chunk = GC.AllocateUninitializedArray<byte>(ChunkBytes, pinned: false);
                for (var i = 0; i < chunk.Length; i += PageSize)
                {
                    chunk[i] = 1;
                }

                held.Add(chunk);
            }
        }
    }
}
