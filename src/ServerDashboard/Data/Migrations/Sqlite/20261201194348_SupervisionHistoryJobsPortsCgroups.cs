using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ServerDashboard.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SupervisionHistoryJobsPortsCgroups : Migration
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

            migrationBuilder.AddColumn<int>(
                name: "MaxCpuPercent",
                table: "Servers",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "MaxProcesses",
                table: "Servers",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "RestartOnUnhealthy",
                table: "Servers",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<int>(
                name: "StartupTimeoutSeconds",
                table: "Servers",
                type: "INTEGER",
                nullable: true);

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
                name: "JobTypes",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false, collation: "NOCASE"),
                    Argv = table.Column<string>(type: "TEXT", nullable: false),
                    WorkingDirectory = table.Column<string>(type: "TEXT", maxLength: 4096, nullable: true),
                    Environment = table.Column<string>(type: "TEXT", nullable: false),
                    TimeoutSeconds = table.Column<int>(type: "INTEGER", nullable: true),
                    MaxConcurrent = table.Column<int>(type: "INTEGER", nullable: false),
                    ServerId = table.Column<int>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_JobTypes", x => x.Id);
                    table.ForeignKey(
                        name: "FK_JobTypes_Servers_ServerId",
                        column: x => x.ServerId,
                        principalTable: "Servers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "ManagedPorts",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Name = table.Column<string>(type: "TEXT", maxLength: 100, nullable: false),
                    Port = table.Column<int>(type: "INTEGER", nullable: false),
                    Protocol = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ManagedPorts", x => x.Id);
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

            migrationBuilder.CreateTable(
                name: "ServerTransitions",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    ServerId = table.Column<int>(type: "INTEGER", nullable: false),
                    From = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    To = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Reason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Actor = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ServerTransitions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ServerTransitions_Servers_ServerId",
                        column: x => x.ServerId,
                        principalTable: "Servers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CrashRecords_ServerId_Id",
                table: "CrashRecords",
                columns: new[] { "ServerId", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_JobTypes_Name",
                table: "JobTypes",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_JobTypes_ServerId",
                table: "JobTypes",
                column: "ServerId");

            migrationBuilder.CreateIndex(
                name: "IX_ManagedPorts_Port_Protocol",
                table: "ManagedPorts",
                columns: new[] { "Port", "Protocol" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ResourceSamples_ResolutionSeconds_AtUnixMs",
                table: "ResourceSamples",
                columns: new[] { "ResolutionSeconds", "AtUnixMs" });

            migrationBuilder.CreateIndex(
                name: "IX_ServerTransitions_ServerId_Id",
                table: "ServerTransitions",
                columns: new[] { "ServerId", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "CrashRecords");

            migrationBuilder.DropTable(
                name: "JobTypes");

            migrationBuilder.DropTable(
                name: "ManagedPorts");

            migrationBuilder.DropTable(
                name: "ResourceSamples");

            migrationBuilder.DropTable(
                name: "ServerTransitions");

            migrationBuilder.DropColumn(
                name: "LimitAction",
                table: "Servers");

            migrationBuilder.DropColumn(
                name: "MaxCpuPercent",
                table: "Servers");

            migrationBuilder.DropColumn(
                name: "MaxProcesses",
                table: "Servers");

            migrationBuilder.DropColumn(
                name: "RestartOnUnhealthy",
                table: "Servers");

            migrationBuilder.DropColumn(
                name: "StartupTimeoutSeconds",
                table: "Servers");
        }
    }
}
