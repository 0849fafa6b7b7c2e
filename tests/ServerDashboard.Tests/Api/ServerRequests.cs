using ServerDashboard.Testing;
using ServerDashboard.Servers;

namespace ServerDashboard.Tests.Api;

/// <summary>Server resources for API tests: valid by default, with unique ports per name.</summary>
public static class ServerRequests
{
    private static int nextPort = 30000;

    /// <summary>The bundled SampleGameServer on free ports, quick to become ready.</summary>
    public static ServerModel SampleGameServer(string name, params string[] extraArgs)
    {
        var model = Valid(name);
        model.Port = ServerDashboard.Testing.FreePort.Next();
        model.Command = [Infrastructure.ProcessRunner.PathOf("SampleGameServer"), "--port", "{port}", "--ready-delay-ms", "100", .. extraArgs];
        model.WorkingDirectory = "";
        model.Environment = [];
        model.Stop = new StopModel { Mode = StopMode.SigTerm, TimeoutSeconds = 10 };
        model.RestartPolicy = RestartPolicy.No;
        model.Limits = new LimitsModel();
        model.LogFiles = [];
        return model;
    }

    public static ServerModel Valid(string name, bool rcon = false)
    {
        var port = Interlocked.Add(ref nextPort, 2);
        return new ServerModel
        {
            Name = name,
            Command = ["/bin/sh", "-c", "sleep 1000"],
            WorkingDirectory = "/tmp",
            Environment = new() { ["GREETING"] = "hello" },
            Port = port,
            Rcon = new RconModel { Enabled = rcon, Port = rcon ? port + 1 : null },
            Stop = new StopModel { Mode = rcon ? StopMode.Rcon : StopMode.SigTerm, Command = "stop", TimeoutSeconds = 10 },
            RestartPolicy = RestartPolicy.OnFailure,
            Limits = new LimitsModel { MaxMemoryMb = 512, MaxOpenFiles = 1024, CpuWarnPercent = 90 },
            ReadyPattern = @"Done \(",
            LogFiles = ["logs/latest.log"],
            Notes = "test",
        };
    }
}
