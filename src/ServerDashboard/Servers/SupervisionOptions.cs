namespace ServerDashboard.Servers;

/// <summary>"Dashboard:Supervision": automatic restarts after exits (docs/configuration.md, docs/supervision.md).</summary>
public sealed class SupervisionOptions
{
    public const string SectionName = "Dashboard:Supervision";

    /// <summary>Delay before the first automatic restart, in seconds.</summary>
    /// <summary>Restart policies act: restarts after a crash and starts at boot (DAEMON_ENABLE_AUTO_RECOVERY). False: only
    /// people (and schedules) start servers; running servers are still re-adopted.</summary>
    public bool AutoRestart { get; set; } = true;

    public double BackoffInitialSeconds { get; set; } = 1;

    /// <summary>Each further restart waits this many times longer.</summary>
    public double BackoffFactor { get; set; } = 2;

    /// <summary>The longest delay, in seconds (5 minutes).</summary>
    public double BackoffMaxSeconds { get; set; } = 300;

    /// <summary>Each delay is shortened by a random part of up to this fraction, so servers that died together do not restart together.</summary>
    public double BackoffJitter { get; set; } = 0.2;

    /// <summary>A run that stays Running this long resets the delay to the initial one.</summary>
    public int StableSeconds { get; set; } = 60;

    /// <summary>More restarts than this within <see cref="CrashLoopWindowSeconds"/> is a crash loop: Error, no more restarts.</summary>
    public int CrashLoopMaxRestarts { get; set; } = 5;

    public int CrashLoopWindowSeconds { get; set; } = 600;

    public IEnumerable<string> Problems()
    {
        if (BackoffInitialSeconds <= 0 || BackoffMaxSeconds < BackoffInitialSeconds)
        {
            yield return "Dashboard:Supervision:BackoffInitialSeconds must be positive and not above BackoffMaxSeconds.";
        }

        if (BackoffFactor < 1)
        {
            yield return "Dashboard:Supervision:BackoffFactor must be at least 1.";
        }

        if (BackoffJitter is < 0 or >= 1)
        {
            yield return "Dashboard:Supervision:BackoffJitter must be at least 0 and below 1.";
        }

        if (StableSeconds < 1 || CrashLoopMaxRestarts < 0 || CrashLoopWindowSeconds < 1)
        {
            yield return "Dashboard:Supervision:StableSeconds and CrashLoopWindowSeconds must be at least 1, CrashLoopMaxRestarts at least 0.";
        }
    }
}
