namespace ServerDashboard.Api;

/// <summary>The REST API under /api/v1 (JSON camelCase, enums as strings).</summary>
public static class DashboardApi
{
    public static IEndpointRouteBuilder MapDashboardApi(this IEndpointRouteBuilder endpoints)
    {
        var v1 = endpoints.MapGroup("/api/v1");
        v1.MapHealthApi();
        v1.MapServersApi();
        v1.MapServerPowerApi();
        v1.MapProcessesApi();
        v1.MapLogsApi();
        v1.MapConsoleCommandsApi();
        v1.MapAuditApi();
        v1.MapHistoryApi();
        v1.MapPortsApi();
        v1.MapJobsApi();
        v1.MapBackupsApi();
        v1.MapSchedulesApi();
        v1.MapWebhooksApi();
        return endpoints;
    }
}
