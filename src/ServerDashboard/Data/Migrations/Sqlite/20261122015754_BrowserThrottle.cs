using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ServerDashboard.Data.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class BrowserThrottle : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "BrowserLinesPerSecond",
                table: "Servers",
                type: "INTEGER",
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "BrowserLinesPerSecond",
                table: "Servers");
        }
    }
}
