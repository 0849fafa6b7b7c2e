using System.Net;
using System.Net.Sockets;

namespace ServerDashboard.Metrics;

/// <summary><c>Dashboard:Metrics</c>: the Prometheus endpoint <c>GET /metrics</c> (docs/metrics.md).</summary>
public sealed class MetricsOptions
{
    public const string SectionName = "Dashboard:Metrics";

    /// <summary>Serve <c>/metrics</c> (read at start-up). Off: the path is not mapped and nothing is collected.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>IP addresses or CIDR networks that may scrape without an API key (e.g. <c>127.0.0.1</c>, <c>10.0.0.0/8</c>).</summary>
    public string[] AllowedScrapers { get; set; } = [];
}

/// <summary>The scrape allow-list: single addresses and CIDR networks, IPv4-mapped IPv6 addresses compared as IPv4.</summary>
public sealed class ScrapeAllowList(IReadOnlyList<IPNetwork> networks)
{
    public static bool TryParseEntry(string entry, out IPNetwork network)
    {
        entry = entry.Trim();
        if (IPNetwork.TryParse(entry, out network))
        {
            return true;
        }

        if (IPAddress.TryParse(entry, out var address))
        {
            network = new IPNetwork(address, address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        return false;
    }

    /// <summary>The valid entries of <paramref name="entries"/> (the options validation refuses invalid ones at start).</summary>
    public static ScrapeAllowList From(IEnumerable<string> entries) =>
        new([.. entries.Select(e => TryParseEntry(e, out var n) ? n : (IPNetwork?)null).OfType<IPNetwork>()]);

    public bool Allows(IPAddress? address)
    {
        if (address is null)
        {
            return false;
        }

        // A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d: compare what the admin wrote (a.b.c.d).
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return networks.Any(n => n.Contains(address));
    }
}
