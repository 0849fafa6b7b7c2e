using System.Globalization;
using System.Net;

namespace ServerDashboard.Processes;

/// <summary>One row of /proc/net/{tcp,tcp6,udp,udp6}: a socket bound to a local port.</summary>
/// <param name="Table">"tcp", "tcp6", "udp" or "udp6".</param>
/// <param name="State">The kernel's hex state ("0A" = TCP LISTEN, "07" = UDP unconnected, "01" = established).</param>
/// <param name="Uid">The socket's owner (the uid of the process that created it).</param>
public sealed record SocketEntry(string Table, IPAddress LocalAddress, int LocalPort, string State, int Uid, ulong Inode)
{
    public PortProtocol Protocol => Table.StartsWith("udp", StringComparison.Ordinal) ? PortProtocol.Udp : PortProtocol.Tcp;
}

/// <summary>
/// Linux-only: reads the kernel's socket tables of the dashboard's network namespace. A socket of another namespace
/// (a container's) is not in them: the bind attempt in <see cref="PortOwnerLookup"/> is the check that sees those.
/// </summary>
public static class SocketTable
{
    private const string TcpListen = "0A";

    /// <summary>
    /// Sockets that hold <paramref name="port"/>: TCP sockets in LISTEN (a connection in TIME_WAIT or ESTABLISHED on that
    /// local port does not stop a server binding with SO_REUSEADDR) and every UDP socket bound to it (a game server's
    /// UDP socket may be "connected" and still own the port).
    /// </summary>
    public static IReadOnlyList<SocketEntry> Holding(int port, PortProtocol protocol, string procNet = "/proc/net")
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        string[] tables = protocol == PortProtocol.Tcp ? ["tcp", "tcp6"] : ["udp", "udp6"];
        var found = new List<SocketEntry>();
        foreach (string table in tables)
        {
            foreach (SocketEntry entry in Read(Path.Combine(procNet, table), table))
            {
                // Inode 0: a socket no process holds any more (orphaned, being torn down).
                if (entry.LocalPort == port && entry.Inode != 0 && (protocol == PortProtocol.Udp || entry.State == TcpListen))
                {
                    found.Add(entry);
                }
            }
        }

        return found;
    }

    /// <summary>Every parseable row of one table; a missing table (a kernel without IPv6) reads as empty.</summary>
    public static IEnumerable<SocketEntry> Read(string path, string table)
    {
        IEnumerable<string> lines;
        try
        {
            lines = File.ReadLines(path).Skip(1).ToList();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (string line in lines)
        {
            if (TryParse(line, table) is { } entry)
            {
                yield return entry;
            }
        }
    }

    /// <summary>Columns: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...</summary>
    public static SocketEntry? TryParse(string line, string table)
    {
        string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length < 10)
        {
            return null;
        }

        int colon = f[1].IndexOf(':');
        if (colon < 0
            || !int.TryParse(f[1].AsSpan(colon + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int port)
            || !int.TryParse(f[7], NumberStyles.None, CultureInfo.InvariantCulture, out int uid)
            || !ulong.TryParse(f[9], NumberStyles.None, CultureInfo.InvariantCulture, out ulong inode)
            || TryParseAddress(f[1].AsSpan(0, colon)) is not { } address)
        {
            return null;
        }

        return new SocketEntry(table, address, port, f[3], uid, inode);
    }

    /// <summary>
    /// The kernel prints the address as 32-bit words in host byte order (little-endian here): each 8-digit group is
    /// reversed byte by byte.
    /// </summary>
    private static IPAddress? TryParseAddress(ReadOnlySpan<char> hex)
    {
        if (hex.Length is not (8 or 32))
        {
            return null;
        }

        var bytes = new byte[hex.Length / 2];
        for (int word = 0; word < hex.Length / 8; word++)
        {
            for (int b = 0; b < 4; b++)
            {
                if (!byte.TryParse(hex.Slice(word * 8 + b * 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out byte value))
                {
                    return null;
                }

                bytes[word * 4 + (BitConverter.IsLittleEndian ? 3 - b : b)] = value;
            }
        }

        return new IPAddress(bytes);
    }
}
