using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ServerDashboard.Data.Migrations
{
    /// <inheritdoc />
    public partial class CrashRecordsResourceHistoryLimits : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "LimitAction",
                table: "Servers",
                type: "TEXT",
                maxLength: 16,
                nullable: false,
                defaultValue: "Warn");

            migrationBuilder.CreateTable(
                name: "CrashRecords",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ServerId = table.Column<int>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    ExitCode = table.Column<int>(type: "INTEGER", nullable: true),
                    Signal = table.Column<int>(type: "INTEGER", nullable: true),
                    UptimeSeconds = table.Column<double>(type: "REAL", nullable: true),
                    Classification = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Description = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    LastLines = table.Column<string>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_CrashRecords", x => x.Id);
                    table.ForeignKey(
                        name: "FK_CrashRecords_Servers_ServerId",
                        column: x => x.ServerId,
                        principalTable: "Servers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ResourceSamples",
                columns: table => new
                {
                    ServerId = table.Column<int>(type: "INTEGER", nullable: false),
                    ResolutionSeconds = table.Column<int>(type: "INTEGER", nullable: false),
                    AtUnixMs = table.Column<long>(type: "INTEGER", nullable: false),
                    CpuPercent = table.Column<double>(type: "REAL", nullable: true),
                    MemoryBytes = table.Column<long>(type: "INTEGER", nullable: true),
                    OpenFiles = table.Column<int>(type: "INTEGER", nullable: true),
                    Threads = table.Column<int>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ResourceSamples", x => new { x.ServerId, x.ResolutionSeconds, x.AtUnixMs });
                });

            migrationBuilder.CreateIndex(
                name: "IX_CrashRecords_ServerId_Id",
                table: "CrashRecords",
                columns: new[] { "ServerId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_ResourceSamples_ResolutionSeconds_AtUnixMs",
                table: "ResourceSamples",
                columns: new[] { "ResolutionSeconds", "AtUnixMs" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CrashRecords");

            migrationBuilder.DropTable(
                name: "ResourceSamples");

            migrationBuilder.DropColumn(
                name: "LimitAction",
                table: "Servers");
        }
    }
}
