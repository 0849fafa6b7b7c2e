namespace SampleGameServer;

public static class ExitCodes
{
    public const int Graceful = 0;
    public const int StartupError = 1;
    public const int Usage = 2;
}
