using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace ServerDashboard.Hosting;

/// <summary>
/// Behind a TLS reverse proxy: X-Forwarded-For/-Proto/-Host are believed only from <c>Dashboard:ReverseProxy:KnownProxies</c>
/// and <c>KnownNetworks</c> (nothing is believed when both are empty). Then the client address (login throttle, audit log)
/// is the real client's, cookies are <c>Secure</c> and HSTS is sent when the client used https.
/// </summary>
public static class ForwardedHeadersSetup
{
    public static ForwardedHeadersOptions? CreateOptions(ReverseProxyOptions proxy)
    {
        if (!proxy.Enabled)
        {
            return null;
        }

        var options = new ForwardedHeadersOptions
        {
            ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost,
            ForwardLimit = 1, // one proxy: the address it saw is the client
        };
        // The defaults trust loopback; only what is configured is trusted here.
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var address in proxy.KnownProxies)
        {
            options.KnownProxies.Add(IPAddress.Parse(address.Trim()));
        }

        foreach (var network in proxy.KnownNetworks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network.Trim()));
        }

        return options;
    }
}
