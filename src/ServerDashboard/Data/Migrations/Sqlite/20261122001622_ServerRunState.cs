using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ServerDashboard.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class ServerRunState : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "ServerRunStates",
                columns: table => new
                {
                    ServerId = table.Column<int>(type: "INTEGER", nullable: false),
                    ShouldRun = table.Column<bool>(type: "INTEGER", nullable: false),
                    LastExitKind = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    LastExitCode = table.Column<int>(type: "INTEGER", nullable: true),
                    LastExitSignal = table.Column<int>(type: "INTEGER", nullable: true),
                    LastExitAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastExitRequested = table.Column<bool>(type: "INTEGER", nullable: false),
                    LastExitDescription = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ServerRunStates", x => x.ServerId);
                    table.ForeignKey(
                        name: "FK_ServerRunStates_Servers_ServerId",
                        column: x => x.ServerId,
                        principalTable: "Servers",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ServerRunStates");
        }
    }
}
