namespace ServerDashboard.Notifications;

/// <summary>Webhook URL checks, and the form of a URL that may be logged.</summary>
public static class WebhookUrls
{
    public const int MaxLength = 2048;

    /// <summary>Null when <paramref name="url"/> is an absolute http/https URL with a host; else why not.</summary>
    public static string? Problem(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return "url is required: an absolute http:// or https:// URL";
        }

        if (url.Length > MaxLength)
        {
            return $"url must be at most {MaxLength} characters";
        }

        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.IsFile || uri.IsUnc)
        {
            return "url must be an absolute http:// or https:// URL";
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            return $"url must use http or https, not {uri.Scheme}";
        }

        if (string.IsNullOrEmpty(uri.Host))
        {
            return "url must name a host";
        }

        // HttpClient would not send them anyway, and they would show in the list: the secret is the place for a credential.
        return uri.UserInfo.Length > 0 ? "url must not contain a user name or password (use the secret to sign deliveries)" : null;
    }

    /// <summary>Scheme, host and port only: a path may hold a token (Discord's webhook URLs do), so logs never see it.</summary>
    public static string ForLog(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? $"{uri.Scheme}://{uri.Authority}/…" : "(invalid url)";
}
