namespace ServerDashboard.Data;

/// <summary>A key for the REST API and scripts. Only its SHA-256 hash is stored; the key itself is shown once.</summary>
public sealed class ApiKey
{
    public int Id { get; set; }

    public required string Name { get; set; }

    public required string Role { get; set; }

    /// <summary>The key's public prefix, used to find the row and to let users tell keys apart.</summary>
    public required string Prefix { get; set; }

    public required string Hash { get; set; }

    public string? CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>Optional: the key is refused from this moment on.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }
}
