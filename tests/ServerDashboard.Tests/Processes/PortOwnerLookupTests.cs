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
    public void A_bound_UDP_socket_of_ours_is_found_with_our_pid()
    {
        using var udp = new UdpClient(new IPEndPoint(IPAddress.Any, 0));
        int port = ((IPEndPoint)udp.Client.LocalEndPoint!).Port;

        PortOwner owner = _lookup.FindListener(port, PortProtocol.Udp);

        Assert.Equal(Environment.ProcessId, owner.Pid);
        Assert.False(_lookup.IsPortFree(port, PortProtocol.Udp));
    }

    [Fact]
    public async Task A_port_held_by_a_daemon_names_that_daemon()
    {
        await using var h = new ProcessesHarness();
        int port = ServerDashboard.Testing.FreePort.Next();
        // Debian's python3 (a stock package) as a stand-in for a game server that listens.
        LaunchedDaemon daemon = await h.LaunchAsync(h.Spec("/usr/bin/python3", "-c",
            $"import socket,time; s=socket.socket(); s.bind(('127.0.0.1',{port})); s.listen(); print('ready', flush=True); time.sleep(1000)"));
        await Poll.UntilAsync(() => File.Exists(h.Spec().LogPath) && File.ReadAllText(h.Spec().LogPath).Contains("ready"), "the daemon to listen");

        PortOwner owner = _lookup.FindListener(port);

        Assert.Equal(new PortOwner(true, daemon.Pid, "python3"), owner);
    }

    [Fact]
    public void A_free_port_is_reported_free()
    {
        int port = ServerDashboard.Testing.FreePort.Next();

        Assert.Equal(new PortOwner(false, null, null), _lookup.FindListener(port));
        Assert.True(_lookup.IsPortFree(port));
    }

}
