namespace ServerDashboard.Processes;

/// <summary>
/// What a server's process should look like, from the caller's own records (the DB). Used to verify legacy PID files,
/// which carry no start time. <see cref="Argv"/>[0] may be a bare name: it then matches any path with that file name.
/// </summary>
public sealed record ExpectedProcess(IReadOnlyList<string> Argv, string? Exe = null)
{
    public bool Matches(IReadOnlyList<string>? cmdline, string? exe)
    {
        if (Exe is not null && exe is not null && !string.Equals(Exe, exe, StringComparison.Ordinal))
        {
            return false;
        }

        if (cmdline is null || cmdline.Count != Argv.Count || Argv.Count == 0)
        {
            return false;
        }

        bool firstMatches = Argv[0].Contains('/')
            ? cmdline[0] == Argv[0]
            : Path.GetFileName(cmdline[0]) == Argv[0];
        return firstMatches && cmdline.Skip(1).SequenceEqual(Argv.Skip(1), StringComparer.Ordinal);
    }
}

/// <summary>Looks up what a server's process should look like; null when the caller does not know the server.</summary>
public delegate ExpectedProcess? ExpectedProcessLookup(string serverId);
