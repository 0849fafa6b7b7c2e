using System.Diagnostics;
using SampleGameServer;

// Captured first: the "Done (x.xxxs)!" line reports the time since start, like Minecraft.
var startTimestamp = Stopwatch.GetTimestamp();

switch (CommandLine.Parse(args, Environment.GetEnvironmentVariable))
{
    case ParsedCommandLine.ShowHelp:
        Console.Out.WriteLine(CommandLine.Usage);
        return ExitCodes.Graceful;

    case ParsedCommandLine.Invalid invalid:
        Console.Error.WriteLine($"SampleGameServer: error: {invalid.Error}");
        Console.Error.WriteLine();
        Console.Error.WriteLine(CommandLine.Usage);
        return ExitCodes.Usage;

    case ParsedCommandLine.Run run:
        var log = new ServerLog(Console.OpenStandardOutput(), TimeProvider.System);
        try
        {
            return await new GameServer(run.Options, log, startTimestamp).RunAsync();
        }
        catch (Exception e)
        {
            Console.Error.WriteLine($"SampleGameServer: error: {e}");
            return ExitCodes.StartupError;
        }

    default:
        throw new UnreachableException();
}
