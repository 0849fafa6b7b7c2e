using Microsoft.EntityFrameworkCore;

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
        type.Property(t => t.Argv).HasConversion(JsonColumns.StringList, JsonColumns.StringListComparer);
        type.Property(t => t.Environment).HasConversion(JsonColumns.StringMap, JsonColumns.StringMapComparer);
    });
}
