using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using ServerDashboard.Auth;
using ServerDashboard.Hosting;

namespace ServerDashboard.Cli;

/// <summary><c>apikey create --name NAME --role ROLE</c>: creates a key in the store and prints it alone on the last line.</summary>
public static class ApiKeyCommands
{
    public static Command Create(Option<string?> dataDir)
    {
        var name = new Option<string>("--name") { Description = "A name that says who or what uses the key", Required = true };
        var role = new Option<string>("--role") { Description = "Admin, Operator or Viewer", Required = true };
        role.Validators.Add(result =>
        {
            var value = result.GetValueOrDefault<string>();
            if (Roles.Normalize(value) is null)
            {
                result.AddError($"Unknown role '{value}'. Use Admin, Operator or Viewer.");
            }
        });

        var expiresAt = new Option<DateTimeOffset?>("--expires-at") { Description = "Optional: refuse the key from this moment on (e.g. 2027-06-30T00:00:00Z)" };

        var create = new Command("create", "Create an API key (shown once; only its hash is stored)") { name, role, expiresAt };
        create.SetAction(async (result, cancellationToken) =>
        {
            await using var services = await DashboardHost.BuildOfflineServicesAsync(result.GetValue(dataDir), cancellationToken);
            var keys = services.GetRequiredService<ApiKeyService>();
            var created = await keys.CreateAsync(result.GetValue(name)!, result.GetValue(role)!, createdBy: "cli", result.GetValue(expiresAt), cancellationToken);
            Console.Error.WriteLine($"Created API key '{created.Entity.Name}' (role {created.Entity.Role}). Send it as header X-Api-Key; it is not shown again:");
            Console.Out.WriteLine(created.PlainTextKey);
            return 0;
        });

        var apikey = new Command("apikey", "Manage API keys") { create };
        return apikey;
    }
}
