using Microsoft.EntityFrameworkCore;
using ServerDashboard.Audit;
using ServerDashboard.Data;
using ServerDashboard.Processes;

namespace ServerDashboard.Ports;

/// <summary>Where a managed port comes from.</summary>
public static class ManagedPortKinds
{
    public const string Game = "game";
    public const string Rcon = "rcon";
    public const string Extra = "extra";
}

/// <summary>
/// A port the dashboard watches. <see cref="Protocol"/> is "tcp", "udp", or "tcp/udp" for a server's game port (the
/// definition does not say which one the game uses, so both count).
/// </summary>
public sealed record ManagedPortEntry(int? Id, string Name, int Port, string Protocol, string Kind, int? ServerId, string? ServerName, string? Note);

/// <summary>A managed port with what holds it now.</summary>
/// <param name="Expected">For a server's port: true when every holder belongs to that server; null when nobody holds it or for extra ports.</param>
public sealed record ManagedPortStatus(
    int? Id,
    string Name,
    int Port,
    string Protocol,
    string Kind,
    int? ServerId,
    string? ServerName,
    string? Note,
    bool InUse,
    bool OwnerVisible,
    IReadOnlyList<PortOwnerInfo> Owners,
    bool? Expected)
{
    /// <summary>Command lines only for Admins (they may hold secrets).</summary>
    public ManagedPortStatus ForCaller(bool canSeeSecrets) => canSeeSecrets ? this : this with { Owners = Owners.Select(o => o.Redacted()).ToList() };
}

/// <summary>The input of <c>POST /api/v1/managed-ports</c> and the Ports page's form.</summary>
public sealed record ManagedPortInput(string? Name, int Port, string? Protocol, string? Note);

public sealed record ManagedPortChange(ManagedPort? Port, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool Succeeded => Port is not null;
}

/// <summary>
/// The registry of managed ports (the seed's port → name registry): every server's game and RCON ports from the
/// definitions, plus the extra ports Admins register. <see cref="StatusAsync"/> reports each one in use or free and by whom.
/// </summary>
public sealed class ManagedPorts(IDbContextFactory<DashboardDbContext> dbFactory, PortInspector inspector, AuditLog audit, TimeProvider time)
{
    public async Task<IReadOnlyList<ManagedPortEntry>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var servers = await db.Servers.AsNoTracking()
            .Select(s => new { s.Id, s.Name, s.Port, s.RconEnabled, s.RconPort })
            .ToListAsync(cancellationToken);
        var extras = await db.ManagedPorts.AsNoTracking().ToListAsync(cancellationToken);
        var entries = new List<ManagedPortEntry>();
        foreach (var server in servers.OrderBy(s => s.Id))
        {
            if (server.Port is { } port)
            {
                entries.Add(new ManagedPortEntry(null, $"{server.Name} game port", port, "tcp/udp", ManagedPortKinds.Game, server.Id, server.Name, null));
            }

            if (server.RconEnabled && server.RconPort is { } rcon)
            {
                entries.Add(new ManagedPortEntry(null, $"{server.Name} RCON", rcon, "tcp", ManagedPortKinds.Rcon, server.Id, server.Name, null));
            }
        }

        entries.AddRange(extras.OrderBy(e => e.Port).Select(e => new ManagedPortEntry(e.Id, e.Name, e.Port, e.Protocol, ManagedPortKinds.Extra, null, null, e.Note)));
        return entries;
    }

    public async Task<IReadOnlyList<ManagedPortStatus>> StatusAsync(CancellationToken cancellationToken) =>
        (await ListAsync(cancellationToken)).Select(Inspect).ToList();

    public ManagedPortStatus Inspect(ManagedPortEntry entry)
    {
        var reports = ProtocolsOf(entry.Protocol).Select(p => inspector.FindOwner(entry.Port, p)).ToList();
        bool inUse = reports.Any(r => r.InUse);
        var owners = reports.SelectMany(r => r.Owners).DistinctBy(o => o.Pid).ToList();
        bool visible = reports.All(r => r.OwnerVisible);
        bool? expected = !inUse || entry.ServerId is null ? null : visible && owners.Count > 0 && owners.All(o => o.ServerId == entry.ServerId);
        return new ManagedPortStatus(entry.Id, entry.Name, entry.Port, entry.Protocol, entry.Kind, entry.ServerId, entry.ServerName, entry.Note,
            inUse, visible, owners, expected);
    }

    public static IReadOnlyList<PortProtocol> ProtocolsOf(string protocol) => protocol switch
    {
        "udp" => [PortProtocol.Udp],
        "tcp" => [PortProtocol.Tcp],
        _ => [PortProtocol.Tcp, PortProtocol.Udp],
    };

    public async Task<ManagedPortChange> AddAsync(ManagedPortInput input, AuditActor actor, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        string name = input.Name?.Trim() ?? "";
        string protocol = input.Protocol?.Trim().ToLowerInvariant() ?? "tcp";
        string? note = string.IsNullOrWhiteSpace(input.Note) ? null : input.Note.Trim();
        if (name.Length is 0 or > ManagedPort.MaxNameLength)
        {
            errors["name"] = [$"A name of 1 to {ManagedPort.MaxNameLength} characters is required."];
        }

        if (input.Port is < 1 or > 65535)
        {
            errors["port"] = ["The port must be between 1 and 65535."];
        }

        if (protocol is not ("tcp" or "udp"))
        {
            errors["protocol"] = ["The protocol must be 'tcp' or 'udp'."];
        }

        if (note?.Length > ManagedPort.MaxNoteLength)
        {
            errors["note"] = [$"The note may have at most {ManagedPort.MaxNoteLength} characters."];
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (errors.Count == 0 && await db.ManagedPorts.AnyAsync(p => p.Port == input.Port && p.Protocol == protocol, cancellationToken))
        {
            errors["port"] = [$"Port {input.Port}/{protocol} is already registered."];
        }

        if (errors.Count > 0)
        {
            await audit.RecordAsync(actor, PortAuditActions.AddManagedPort, $"{input.Port}/{protocol}", success: false,
                "not valid: " + string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(" ", e.Value)}")));
            return new ManagedPortChange(null, errors);
        }

        var port = new ManagedPort { Name = name, Port = input.Port, Protocol = protocol, Note = note, CreatedAt = time.GetUtcNow() };
        db.ManagedPorts.Add(port);
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(actor, PortAuditActions.AddManagedPort, $"{name}: {port.Port}/{protocol}", success: true, "saved");
        return new ManagedPortChange(port, errors);
    }

    /// <summary>False when there is no extra port with that id (a server's own ports are removed with the server).</summary>
    public async Task<bool> RemoveAsync(int id, AuditActor actor, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var port = await db.ManagedPorts.FirstOrDefaultAsync(p => p.Id == id, cancellationToken);
        if (port is null)
        {
            return false;
        }

        db.ManagedPorts.Remove(port);
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(actor, PortAuditActions.RemoveManagedPort, $"{port.Name}: {port.Port}/{port.Protocol}", success: true, "removed");
        return true;
    }
}
