using System.Net;
using System.Net.Sockets;

namespace ServerDashboard.Tests.Infrastructure;

public static class FreePort
{
    /// <summary>A port the kernel just handed out on 127.0.0.1, released again for the test to use.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
