using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using ServerDashboard.Data;

namespace ServerDashboard.Auth;

/// <summary>A new key: the plain text is returned this once and never stored.</summary>
public sealed record CreatedApiKey(ApiKey Entity, string PlainTextKey);

/// <summary>
/// API keys look like <c>sdk_&lt;8-char prefix&gt;_&lt;43-char secret&gt;</c>. The prefix finds the row; the SHA-256 of the whole key
/// is compared in constant time. A fast hash is right here: the key has 256 random bits, so it cannot be guessed offline.
/// </summary>
/// Creating and revoking are audited here; revoking closes the key's live hub connections at once; an expired key
/// (<see cref="ApiKey.ExpiresAt"/>) is refused.
public sealed class ApiKeyService(
    IDbContextFactory<DashboardDbContext> dbFactory,
    Audit.AuditLog audit,
    LiveConnections liveConnections,
    IHttpContextAccessor httpContextAccessor,
    TimeProvider time,
    ILogger<ApiKeyService> logger)
{
    private const string Scheme = "sdk";

    /// <summary>How long a validated key is trusted without asking the store again (revoking clears it at once).</summary>
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);

    // Keyed by the key's hash: a script's every request would otherwise cost a database read.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (ApiKey Key, DateTimeOffset Until)> validated = new();

    public Task<CreatedApiKey> CreateAsync(string name, string role, string? createdBy, CancellationToken cancellationToken) =>
        CreateAsync(name, role, createdBy, expiresAt: null, cancellationToken);

    /// <param name="expiresAt">Optional: the key is refused from then on.</param>
    public async Task<CreatedApiKey> CreateAsync(string name, string role, string? createdBy, DateTimeOffset? expiresAt, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var canonicalRole = Roles.Normalize(role) ?? throw new ArgumentException($"Unknown role '{role}'. Use Admin, Operator or Viewer.", nameof(role));
        if (expiresAt is { } expiry && expiry <= time.GetUtcNow())
        {
            throw new ArgumentException("The expiry must be in the future.", nameof(expiresAt));
        }

        var prefix = RandomNumberGenerator.GetString("abcdefghijklmnopqrstuvwxyz0123456789", 8);
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var key = $"{Scheme}_{prefix}_{secret}";

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entity = new ApiKey
        {
            Name = name.Trim(),
            Role = canonicalRole,
            Prefix = prefix,
            Hash = Hash(key),
            CreatedBy = createdBy,
            CreatedAt = time.GetUtcNow(),
            ExpiresAt = expiresAt,
        };
        db.ApiKeys.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        logger.LogInformation("API key {KeyPrefix} '{KeyName}' created with role {Role} by {CreatedBy}", prefix, Text.LogText.Escape(entity.Name), canonicalRole, Text.LogText.Escape(createdBy ?? "cli"));
        await audit.RecordAsync(Audit.AuditActor.Named(createdBy, httpContextAccessor), Audit.AuditActions.CreateApiKey,
            $"{prefix} '{entity.Name}' as {canonicalRole}" + (expiresAt is { } until ? $", expires {until:u}" : ""), success: true, "created");
        return new CreatedApiKey(entity, key);
    }

    /// <summary>Returns the key's row when <paramref name="key"/> is valid, and records its use.</summary>
    public async Task<ApiKey?> ValidateAsync(string key, CancellationToken cancellationToken)
    {
        var parts = key.Split('_', 3);
        if (parts.Length != 3 || parts[0] != Scheme || parts[1].Length != 8)
        {
            return null;
        }

        var hash = Hash(key);
        var now = time.GetUtcNow();
        if (validated.TryGetValue(hash, out var cached) && cached.Until > now)
        {
            return IsExpired(cached.Key, now) ? null : cached.Key;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entity = await db.ApiKeys.FirstOrDefaultAsync(k => k.Prefix == parts[1], cancellationToken);
        if (entity is null || !CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(entity.Hash), Encoding.ASCII.GetBytes(hash))
            || IsExpired(entity, now))
        {
            return null;
        }

        if (entity.LastUsedAt is null || now - entity.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            entity.LastUsedAt = now; // at most once a minute (and once per cache lifetime) per key
            await db.SaveChangesAsync(cancellationToken);
        }

        validated[hash] = (entity, now + CacheLifetime);
        return entity;
    }

    public async Task<IReadOnlyList<ApiKey>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var keys = await db.ApiKeys.AsNoTracking().ToListAsync(cancellationToken);
        return [.. keys.OrderByDescending(k => k.CreatedAt)];
    }

    public async Task<bool> RevokeAsync(int id, string? revokedBy, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        var deleted = await db.ApiKeys.Where(k => k.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;
        validated.Clear(); // a revoked key stops working now, not when its cache entry expires
        if (deleted)
        {
            liveConnections.AbortAll(PrincipalKey.ForApiKey(id)); // and its open hub streams end now too
            logger.LogInformation("API key {KeyId} revoked by {RevokedBy}", id, revokedBy);
            await audit.RecordAsync(Audit.AuditActor.Named(revokedBy, httpContextAccessor), Audit.AuditActions.RevokeApiKey,
                $"{key?.Prefix} '{key?.Name}'", success: true, "revoked");
        }

        return deleted;
    }

    /// <summary>Refused from <see cref="ApiKey.ExpiresAt"/> on (the list shows such keys as expired).</summary>
    public static bool IsExpired(ApiKey key, DateTimeOffset now) => key.ExpiresAt is { } expiry && expiry <= now;

    private static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));
}
