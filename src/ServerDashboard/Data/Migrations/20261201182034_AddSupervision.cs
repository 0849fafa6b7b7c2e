using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ServerDashboard.Data.Migrations
{
    /// <inheritdoc />
    public partial class AddSupervision : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
                name: "IX_ServerTransitions_ServerId_Id",
                table: "ServerTransitions",
                columns: new[] { "ServerId", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ServerTransitions");

            migrationBuilder.DropColumn(
                name: "RestartOnUnhealthy",
                table: "Servers");

            migrationBuilder.DropColumn(
                name: "StartupTimeoutSeconds",
                table: "Servers");
        }
    }
}
