using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;

namespace ServerDashboard.Servers;

public sealed record ServerTemplate(string Id, string Title, string Description, ServerModel Model);

/// <summary>
/// Ready-made definitions that pre-fill the server form. Everything a template sets is visible and editable in the form.
/// Ports are chosen so they do not clash with existing definitions.
/// </summary>
public sealed class ServerTemplates(IDbContextFactory<DashboardDbContext> dbFactory, Microsoft.Extensions.Options.IOptions<Hosting.DashboardOptions> options)
{
    public const string SampleGameServerId = "sample";
    public const string GenericProcessId = "generic";
    public const string MinecraftJavaId = "minecraft-java";

    /// <summary>The SampleGameServer binary shipped beside the dashboard's own.</summary>
    public static string SampleGameServerPath => Path.Combine(AppContext.BaseDirectory, "SampleGameServer");

    public async Task<IReadOnlyList<ServerTemplate>> ListAsync(CancellationToken cancellationToken)
    {
        var (usedPorts, usedNames) = await UsedAsync(cancellationToken);
        ServerTemplate[] templates =
        [
            new(SampleGameServerId, "Sample game server",
                "The bundled SampleGameServer: behaves like a Minecraft server (ready line, console commands, RCON). Start it in two clicks.",
                SampleGameServer([.. usedPorts], usedNames)),
            new(GenericProcessId, "Generic process",
                "Any long-running program: give its argv, one argument per line. Stopped with SIGTERM.",
                GenericProcess(usedNames)),
            new(MinecraftJavaId, "Minecraft (Java)",
                "A vanilla/Paper server: put server.jar in the working directory and enable RCON in server.properties.",
                MinecraftJava([.. usedPorts], usedNames)),
        ];
        foreach (var template in templates)
        {
            ApplyDefaults(template.Model.Limits);
        }

        return templates;
    }

    /// <summary>The admin's Dashboard:ServerDefaults (DAEMON_MAX_*) win over a template's own guesses: they know the host.</summary>
    private void ApplyDefaults(LimitsModel limits)
    {
        var defaults = options.Value.ServerDefaults;
        limits.MaxMemoryMb = defaults.MaxMemoryMb ?? limits.MaxMemoryMb;
        limits.CpuWarnPercent = defaults.MaxCpuPercent ?? limits.CpuWarnPercent;
        limits.MaxOpenFiles = defaults.MaxOpenFiles ?? limits.MaxOpenFiles;
    }

    public async Task<ServerTemplate?> FindAsync(string id, CancellationToken cancellationToken) =>
        (await ListAsync(cancellationToken)).FirstOrDefault(t => t.Id == id);

    /// <summary>A copy of <paramref name="source"/> ready to save: "&lt;name&gt; (copy)", free ports, its own RCON password.</summary>
    public async Task<ServerModel> CloneAsync(ServerDefinition source, CancellationToken cancellationToken)
    {
        var (usedPorts, usedNames) = await UsedAsync(cancellationToken);
        var model = ServerMapper.ToModel(source, includeSecrets: true);
        model.Id = null;
        model.CreatedAt = null;
        model.UpdatedAt = null;
        model.Name = UniqueName($"{source.Name} (copy)", usedNames);
        model.Port = source.Port is { } port ? FreePort(port, usedPorts) : null;
        model.Rcon.Port = source.RconEnabled && source.RconPort is { } rconPort ? FreePort(rconPort, usedPorts) : source.RconPort;
        model.Rcon.Password = null; // generated on save: two servers never share a password
        return model;
    }

    private async Task<(HashSet<int> Ports, HashSet<string> Names)> UsedAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var servers = await db.Servers.AsNoTracking().Select(s => new { s.Name, s.Port, s.RconPort }).ToListAsync(cancellationToken);
        return (servers.SelectMany(s => new[] { s.Port, s.RconPort }).OfType<int>().ToHashSet(),
                servers.Select(s => s.Name).ToHashSet(StringComparer.OrdinalIgnoreCase));
    }

    private static ServerModel SampleGameServer(HashSet<int> usedPorts, HashSet<string> usedNames)
    {
        var port = FreePort(25565, usedPorts);
        var rconPort = FreePort(25575, usedPorts);
        return new ServerModel
        {
            Name = UniqueName("sample", usedNames),
            Command = [SampleGameServerPath, "--port", "{port}", "--rcon-port", "{rconPort}"],
            // The password goes in the environment, not argv: /proc/<pid>/cmdline is readable by every local user.
            Environment = new() { ["RCON_PASSWORD"] = "{rconPassword}" },
            Port = port,
            Rcon = new RconModel { Enabled = true, Port = rconPort },
            Stop = new StopModel { Mode = StopMode.Rcon, Command = "stop", TimeoutSeconds = 10 },
            RestartPolicy = RestartPolicy.OnFailure,
            ReadyPattern = @"Done \(",
            Notes = "Bundled sample server for trying the dashboard out. " + DedicatedUserHint,
        };
    }

    /// <summary>A game compromised by a plugin should not be the dashboard's account (root): see docs/security.md.</summary>
    private const string DedicatedUserHint =
        "Run it as a dedicated user (e.g. useradd --system --create-home game1, then set Run as user) that owns its working directory.";

    private static ServerModel GenericProcess(HashSet<string> usedNames) => new()
    {
        Name = UniqueName("process", usedNames),
        Notes = DedicatedUserHint,
        Stop = new StopModel { Mode = StopMode.SigTerm, TimeoutSeconds = 10 },
        RestartPolicy = RestartPolicy.No,
    };

    private static ServerModel MinecraftJava(HashSet<int> usedPorts, HashSet<string> usedNames)
    {
        var port = FreePort(25565, usedPorts);
        usedPorts.Add(port);
        var rconPort = FreePort(25575, usedPorts);
        return new ServerModel
        {
            Name = UniqueName("minecraft", usedNames),
            Command = ["java", "-Xmx{memory}M", "-jar", "server.jar", "nogui"],
            Port = port,
            Rcon = new RconModel { Enabled = true, Port = rconPort },
            Stop = new StopModel { Mode = StopMode.Rcon, Command = "stop", TimeoutSeconds = 30 },
            RestartPolicy = RestartPolicy.OnFailure,
            Limits = new LimitsModel { MaxMemoryMb = 2048, MaxOpenFiles = 4096, CpuWarnPercent = 90 },
            ReadyPattern = @"Done \(",
            LogFiles = ["logs/latest.log"],
            Notes = "Set server-port, enable-rcon=true, rcon.port and rcon.password in server.properties to match this definition. {memory} is the max memory below. " + DedicatedUserHint,
        };
    }

    private static int FreePort(int start, HashSet<int> used)
    {
        var port = start;
        while (used.Contains(port))
        {
            port++;
        }

        used.Add(port);
        return port;
    }

    private static string UniqueName(string stem, HashSet<string> used)
    {
        if (!used.Contains(stem))
        {
            return stem;
        }

        var n = 2;
        while (used.Contains($"{stem}-{n}"))
        {
            n++;
        }

        return $"{stem}-{n}";
    }
}
