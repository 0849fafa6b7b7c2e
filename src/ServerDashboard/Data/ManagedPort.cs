using Microsoft.EntityFrameworkCore;

namespace ServerDashboard.Data;

/// <summary>
/// A port an Admin asked the dashboard to watch besides the servers' own game and RCON ports (a voice server, a web map).
/// </summary>
public sealed class ManagedPort
{
    public const int MaxNameLength = 100;
    public const int MaxNoteLength = 500;

    public int Id { get; set; }

    public required string Name { get; set; }

    public int Port { get; set; }

    /// <summary>"tcp" or "udp".</summary>
    public required string Protocol { get; set; }

    public string? Note { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The table's mapping, kept here so the context needs only one line for it.</summary>
    internal static void Configure(ModelBuilder builder) => builder.Entity<ManagedPort>(port =>
    {
        port.ToTable("ManagedPorts");
        port.HasIndex(p => new { p.Port, p.Protocol }).IsUnique();
        port.Property(p => p.Name).HasMaxLength(MaxNameLength);
        port.Property(p => p.Protocol).HasMaxLength(8);
        port.Property(p => p.Note).HasMaxLength(MaxNoteLength);
    });
}
