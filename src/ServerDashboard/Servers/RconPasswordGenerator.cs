using System.Security.Cryptography;

namespace ServerDashboard.Servers;

/// <summary>Generates RCON passwords: 24 URL-safe characters from the OS's cryptographic RNG (~143 bits).</summary>
public sealed class RconPasswordGenerator
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    public const int Length = 24;

    public string Generate() => RandomNumberGenerator.GetString(Alphabet, Length);
}
