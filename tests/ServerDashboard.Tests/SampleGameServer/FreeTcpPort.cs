using System.Net;
using System.Net.Sockets;

namespace ServerDashboard.Tests.SampleGameServer;

internal static class FreeTcpPort
{
    /// <summary>A port the kernel just handed out for 127.0.0.1, released again for the server to take.</summary>
    public static int Find()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
