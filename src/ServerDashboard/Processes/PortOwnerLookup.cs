using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ServerDashboard.Processes;

public enum PortProtocol
{
    Tcp,
    /// <summary>Game ports are often UDP: a bound UDP socket counts as "listening".</summary>
    Udp,
}

/// <summary>Who listens on a port. <see cref="Pid"/> is null when the socket belongs to a process we may not inspect.</summary>
public sealed record PortOwner(bool InUse, int? Pid, string? ProcessName);

/// <summary>
/// Linux-only: finds the process listening on a port, to refuse a start with a useful message ("port 27015 is used
/// by pid 1234 (srcds_linux)"). Reads /proc/net/tcp{,6} for LISTEN sockets (or /proc/net/udp{,6} for bound ones), then
/// maps the socket inode to a pid through the /proc/*/fd links (socket:[inode]).
/// </summary>
public sealed class PortOwnerLookup(ProcFs procFs)
{
    private const string TcpListen = "0A";
    private const string UdpUnconnected = "07";

    public PortOwner FindListener(int port, PortProtocol protocol = PortProtocol.Tcp)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);

        HashSet<string> inodes = ListeningInodes(port, protocol);
        if (inodes.Count == 0)
        {
            return new PortOwner(false, null, null);
        }

        foreach (int pid in procFs.ListPids())
        {
            if (OwnsAnySocket(pid, inodes))
            {
                string? comm = procFs.TryReadStat(pid)?.Comm;
                return new PortOwner(true, pid, comm);
            }
        }

        // In use, but by a process whose fds we may not read (or that closed it meanwhile).
        return new PortOwner(true, null, null);
    }

    /// <summary>
    /// Every socket holding the port in this network namespace and every process holding each of them. A socket with no
    /// holder found belongs to a process we may not inspect (or one that closed it meanwhile): see
    /// <see cref="PortHolders.HasInvisibleSockets"/>.
    /// </summary>
    public PortHolders FindHolders(int port, PortProtocol protocol)
    {
        IReadOnlyList<SocketEntry> sockets = SocketTable.Holding(port, protocol);
        SocketHolderScan scan = procFs.FindSocketHolders(sockets.Select(s => s.Inode).ToHashSet());
        return new PortHolders(sockets, scan.HoldersByInode, scan.UnreadableProcesses);
    }

    /// <summary>
    /// True if a listener could bind the port now on both 127.0.0.1 and 0.0.0.0. Complements <see cref="FindListener"/>:
    /// it also sees sockets of other network namespaces' views and ports held in ways /proc does not show as LISTEN.
    /// </summary>
    public bool IsPortFree(int port, PortProtocol protocol = PortProtocol.Tcp) =>
        CanBind(IPAddress.Loopback, port, protocol) && CanBind(IPAddress.Any, port, protocol);

    /// <summary>True if a socket could bind the port on <paramref name="address"/> now (the address a server uses).</summary>
    public bool CanBindNow(IPAddress address, int port, PortProtocol protocol) => CanBind(address, port, protocol);

    private static bool CanBind(IPAddress address, int port, PortProtocol protocol)
    {
        try
        {
            using var socket = protocol == PortProtocol.Tcp
                ? new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
                : new Socket(address.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            if (protocol == PortProtocol.Tcp)
            {
                // Without SO_REUSEADDR a socket in TIME_WAIT would make a free port look busy, unlike the server's own bind.
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            }

            socket.Bind(new IPEndPoint(address, port));
            if (protocol == PortProtocol.Tcp)
            {
                socket.Listen(1);
            }

            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode != SocketError.AddressAlreadyInUse)
        {
            // Only "address in use" says the port is taken. EACCES (a port below 1024 without root) or
            // EADDRNOTAVAIL (no IPv6 here) says nothing about it: the socket tables decide.
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    private static HashSet<string> ListeningInodes(int port, PortProtocol protocol)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        string hexPort = port.ToString("X4", CultureInfo.InvariantCulture);
        (string[] tables, string state) = protocol == PortProtocol.Tcp
            ? ((string[])["/proc/net/tcp", "/proc/net/tcp6"], TcpListen)
            : (["/proc/net/udp", "/proc/net/udp6"], UdpUnconnected);
        foreach (string table in tables)
        {
            if (!File.Exists(table))
            {
                continue; // no IPv6 in this kernel
            }

            // Columns: sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...
            foreach (string line in File.ReadLines(table).Skip(1))
            {
                string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length > 9 && f[3] == state && f[1].EndsWith(":" + hexPort, StringComparison.Ordinal) && f[9] != "0")
                {
                    inodes.Add(f[9]);
                }
            }
        }

        return inodes;
    }

    private static bool OwnsAnySocket(int pid, HashSet<string> inodes)
    {
        try
        {
            foreach (string fd in Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd"))
            {
                string? target = TryReadLink(fd);
                if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && inodes.Contains(target[8..^1]))
                {
                    return true;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone, or another user's process.
        }

        return false;
    }

    private static string? TryReadLink(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>What <see cref="PortOwnerLookup.FindHolders"/> saw.</summary>
/// <param name="UnreadableProcesses">Processes whose fds could not be read (another user's, without root).</param>
public sealed record PortHolders(IReadOnlyList<SocketEntry> Sockets, IReadOnlyDictionary<ulong, IReadOnlyList<int>> HoldersByInode, int UnreadableProcesses)
{
    /// <summary>Each holder once, in pid order (a process holding both the IPv4 and the IPv6 socket appears once).</summary>
    public IReadOnlyList<int> Pids => HoldersByInode.Values.SelectMany(p => p).Distinct().Order().ToList();

    /// <summary>A socket whose holder was not found: in use by a process the dashboard cannot see.</summary>
    public bool HasInvisibleSockets => Sockets.Any(s => !HoldersByInode.ContainsKey(s.Inode));
}
