using Microsoft.AspNetCore.Identity;

namespace ServerDashboard.Api;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccountEndpoints(this IEndpointRouteBuilder endpoints)
    {
        // A POST with an antiforgery token (the form in the header), so a link on another site cannot log users out.
        endpoints.MapPost("/account/logout", async (SignInManager<IdentityUser> signIn) =>
        {
            await signIn.SignOutAsync();
            return TypedResults.LocalRedirect("/account/login");
        }).ExcludeFromDescription();
        return endpoints;
    }
}
