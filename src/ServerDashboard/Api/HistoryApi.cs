using ServerDashboard.Auth;
using ServerDashboard.Data;
using ServerDashboard.Servers;
using ServerDashboard.Servers.Crashes;
using ServerDashboard.Servers.History;

namespace ServerDashboard.Api;

/// <summary>One crash record as the API shows it (classification as its name: "Crash", "Signal", …).</summary>
public sealed record CrashRecordModel(
    DateTimeOffset At, int? ExitCode, int? Signal, double? UptimeSeconds, CrashClassification Classification, string Description, IReadOnlyList<string> LastLines)
{
    public static CrashRecordModel From(CrashRecord c) =>
        new(c.At, c.ExitCode, c.Signal, c.UptimeSeconds, c.Classification, c.Description, c.LastLines);
}

public sealed record CrashPageModel(IReadOnlyList<CrashRecordModel> Items, int Page, int PageSize, int Total);

public sealed record MetricsModel(IReadOnlyList<MetricPoint> Samples);

/// <summary>
/// <c>GET /api/v1/servers/{id}/crashes?page=&amp;pageSize=</c> (newest first) and
/// <c>GET /api/v1/servers/{id}/metrics?from=&amp;to=&amp;step=</c> (Viewers).
/// </summary>
public static class HistoryApi
{
    public static void MapHistoryApi(this RouteGroupBuilder api)
    {
        var server = api.MapGroup("/servers/{id:int}").RequireAuthorization(Policies.View).WithTags("Servers");

        server.MapGet("/crashes", async Task<Results<Ok<CrashPageModel>, ProblemHttpResult>> (
            int id, int? page, int? pageSize, ServerCatalog catalog, CrashHistory crashes, CancellationToken cancellationToken) =>
        {
            if (page is < 1)
            {
                return BadRequest("Invalid page", "page must be 1 or more.");
            }

            if (pageSize is < 1 or > CrashHistory.MaxPageSize)
            {
                return BadRequest("Invalid pageSize", $"pageSize must be between 1 and {CrashHistory.MaxPageSize}.");
            }

            if (await catalog.GetAsync(id, cancellationToken) is null)
            {
                return NotFound(id);
            }

            var result = await crashes.PageAsync(id, page ?? 1, pageSize ?? CrashHistory.DefaultPageSize, cancellationToken);
            return TypedResults.Ok(new CrashPageModel(result.Items.Select(CrashRecordModel.From).ToList(), result.Page, result.PageSize, result.Total));
        }).WithName("ListServerCrashes");

        server.MapGet("/metrics", async Task<Results<Ok<MetricsModel>, ProblemHttpResult>> (
            int id, string? from, string? to, string? step, ServerCatalog catalog, ResourceHistoryStore history, TimeProvider time,
            CancellationToken cancellationToken) =>
        {
            var (range, error) = MetricsRange.Parse(from, to, step, time.GetUtcNow());
            if (range is null)
            {
                return BadRequest("Invalid range", error!);
            }

            if (await catalog.GetAsync(id, cancellationToken) is null)
            {
                return NotFound(id);
            }

            var samples = await history.QueryAsync(id, range.From, range.To, range.StepSeconds, cancellationToken);
            return TypedResults.Ok(new MetricsModel(samples));
        }).WithName("GetServerMetrics");
    }

    private static ProblemHttpResult BadRequest(string title, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: title, detail: detail);

    private static ProblemHttpResult NotFound(int id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Server not found", detail: $"No server with id {id}.");
}
