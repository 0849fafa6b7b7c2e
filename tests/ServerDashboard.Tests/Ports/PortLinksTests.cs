using ServerDashboard.Ports;

namespace ServerDashboard.Tests.Ports;

public sealed class PortLinksTests
{
    [Fact]
    public void The_supervisors_port_conflict_refusal_links_to_the_ports_page_entry()
    {
        // The exact text ServerSupervisor produces when a start is refused (see SupervisorTests).
        const string refusal = "Cannot start 'web': its game port 27015 is already in use by pid 4242 (python3).";

        Assert.Equal(27015, PortLinks.ConflictPort(refusal));
        Assert.Equal("ports?port=27015#port-27015", PortLinks.Href(27015));
        Assert.Null(PortLinks.ConflictPort("did not stop in time: killed"));
        Assert.Null(PortLinks.ConflictPort(null));
    }
}
