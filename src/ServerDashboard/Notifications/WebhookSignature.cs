using System.Security.Cryptography;
using System.Text;

namespace ServerDashboard.Notifications;

/// <summary><c>X-ServerDashboard-Signature: sha256=&lt;hex&gt;</c>: HMAC-SHA256 of the exact body bytes, keyed with the secret's UTF-8 bytes.</summary>
public static class WebhookSignature
{
    public const string Prefix = "sha256=";

    public static string Sign(ReadOnlySpan<byte> body, string secret) =>
        Prefix + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    /// <summary>What a receiver does: recompute and compare in constant time.</summary>
    public static bool Verify(ReadOnlySpan<byte> body, string secret, string? header) =>
        header is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(body, secret)), Encoding.ASCII.GetBytes(header));
}
