using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;

namespace ServerDashboard.Api;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // A POST with an antiforgery token (the form in the header), so a link on another site cannot log users out.
        endpoints.MapPost("/account/logout", async Task<Results<RedirectHttpResult, ProblemHttpResult>> (
            HttpContext http, IAntiforgery antiforgery, SignInManager<IdentityUser> signIn) =>
        {
            // Checked here: the antiforgery middleware only records its verdict, and minimal APIs act on it for
            // form-bound parameters, which this endpoint has none of.
            if (!await antiforgery.IsRequestValidAsync(http))
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing or invalid antiforgery token");
            }

            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("/account/login");
        })
        .DisableAntiforgery() // validated above, with a clear answer
        .ExcludeFromDescription();
        return endpoints;
    }
}
