namespace ServerDashboard.Benchmarks;

/// <summary>The scenarios' temporary data directories.</summary>
public static class ScratchDirectory
{
    /// <summary>Deletes <paramref name="directory"/> unless BENCH_KEEP_DATA is set (to look at a run's logs and PID files afterwards).</summary>
    public static void RemoveUnlessKept(string directory)
    {
        if (Environment.GetEnvironmentVariable("BENCH_KEEP_DATA") is not null)
        {
            return;
        }

        try
        {
            Directory.Delete(directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a process that is going away: the temp folder's cleaner gets it.
        }
    }
}
