using System.Net;
using System.Net.Sockets;

namespace ServerDashboard.Testing;

/// <summary>
/// Ports for tests to listen on. Each is handed out once per test process and comes from below the kernel's
/// ephemeral range (ip_local_port_range starts at 32768 by default): asking the kernel for port 0 and
/// releasing it let two tests get the same port (seen in CI: two server definitions collided on one RCON
/// port), and a released ephemeral port can be taken by any outgoing connection before the test binds it.
/// </summary>
public static class FreePort
{
    private const int First = 20000;
    private const int Last = 32000;
    private static int _next = First + Random.Shared.Next(Last - First); // separate suites start far apart

    /// <summary>A port nothing listened on when asked, never returned before by this process.</summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < Last - First; attempt++)
        {
            var candidate = First + (int)((uint)Interlocked.Increment(ref _next) % (Last - First));
            if (IsFree(candidate))
                return candidate;
        }
        throw new InvalidOperationException($"No free port between {First} and {Last} on 127.0.0.1.");
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
