using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace ServerDashboard.Data;

/// <summary>
/// A kind of background job an Admin defined: what to run (argv with server placeholders such as <c>{serverDir}</c> when
/// bound to a server), where, with which environment, for how long at most, and how many may run at once.
/// </summary>
public sealed class JobType
{
    public int Id { get; set; }

    public required string Name { get; set; }

    public List<string> Argv { get; set; } = [];

    /// <summary>Null: the server's directory when bound to a server, else the job PID directory.</summary>
    public string? WorkingDirectory { get; set; }

    public Dictionary<string, string> Environment { get; set; } = new();

    /// <summary>A run still going after this many seconds is cancelled; null: no limit.</summary>
    public int? TimeoutSeconds { get; set; }

    /// <summary>How many runs of this type may run at once (1: one at a time).</summary>
    public int MaxConcurrent { get; set; } = 1;

    /// <summary>The server the type belongs to (its placeholders are expanded for it); null: not bound.</summary>
    public int? ServerId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The table's configuration, kept here so the context gains one line.</summary>
    internal static void Configure(ModelBuilder builder) => builder.Entity<JobType>(type =>
    {
        type.ToTable("JobTypes");
        type.HasIndex(t => t.Name).IsUnique();
        type.Property(t => t.Name).HasMaxLength(64).UseCollation(DashboardDbContext.CaseInsensitiveCollation);
        type.Property(t => t.WorkingDirectory).HasMaxLength(4096);
        type.HasOne<ServerDefinition>().WithMany().HasForeignKey(t => t.ServerId).OnDelete(DeleteBehavior.Cascade);
        type.Property(t => t.Argv).HasConversion(
            v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
            v => JsonSerializer.Deserialize<List<string>>(v, JsonSerializerOptions.Default) ?? new List<string>(),
            new ValueComparer<List<string>>((a, b) => a!.SequenceEqual(b!), v => v.Aggregate(0, (h, s) => HashCode.Combine(h, s)), v => v.ToList()));
        type.Property(t => t.Environment).HasConversion(
            v => JsonSerializer.Serialize(v, JsonSerializerOptions.Default),
            v => JsonSerializer.Deserialize<Dictionary<string, string>>(v, JsonSerializerOptions.Default) ?? new Dictionary<string, string>(),
            new ValueComparer<Dictionary<string, string>>(
                (a, b) => a!.Count == b!.Count && !a.Except(b).Any(),
                v => v.Aggregate(0, (h, kv) => HashCode.Combine(h, kv.Key, kv.Value)),
                v => new Dictionary<string, string>(v)));
    });
}
