using System.Net;
using System.Net.Sockets;
using ServerDashboard.Processes;

namespace ServerDashboard.Tests.Processes;

public sealed class PortOwnerLookupTests
{
    private readonly PortOwnerLookup _lookup = new(new ProcFs());

    [Fact]
    public void A_listening_socket_of_ours_is_found_with_our_pid()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;

            PortOwner owner = _lookup.FindListener(port);

            Assert.True(owner.InUse);
            Assert.Equal(Environment.ProcessId, owner.Pid);
            Assert.Equal(File.ReadAllText("/proc/self/comm").Trim(), owner.ProcessName);
            Assert.False(_lookup.IsPortFree(port));
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void An_IPv6_listener_is_found_too()
    {
        var listener = new TcpListener(IPAddress.IPv6Any, 0);
        listener.Start();
        try
        {
            PortOwner owner = _lookup.FindListener(((IPEndPoint)listener.LocalEndpoint).Port);

            Assert.Equal(Environment.ProcessId, owner.Pid);
        }
        finally
        {
            listener.Stop();
        }
    }

    [Fact]
    public void A_free_port_is_reported_free()
    {
        int port = FreePort();

        Assert.Equal(new PortOwner(false, null, null), _lookup.FindListener(port));
        Assert.True(_lookup.IsPortFree(port));
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
