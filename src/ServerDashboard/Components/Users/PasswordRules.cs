using Microsoft.AspNetCore.Identity;

namespace ServerDashboard.Components.Users;

public static class PasswordRules
{
    /// <summary>The configured Identity password policy in one sentence, so users learn it before Identity refuses.</summary>
    public static string Describe(PasswordOptions options)
    {
        var needs = new List<string>();
        if (options.RequireUppercase) needs.Add("an uppercase letter");
        if (options.RequireLowercase) needs.Add("a lowercase letter");
        if (options.RequireDigit) needs.Add("a digit");
        if (options.RequireNonAlphanumeric) needs.Add("a symbol");
        var length = $"At least {options.RequiredLength} characters";
        return needs.Count switch
        {
            0 => length + ".",
            1 => $"{length} with {needs[0]}.",
            _ => $"{length} with {string.Join(", ", needs[..^1])} and {needs[^1]}.",
        };
    }
}
