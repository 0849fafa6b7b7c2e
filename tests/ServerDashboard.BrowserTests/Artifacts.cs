using Microsoft.Playwright;

namespace ServerDashboard.BrowserTests;

/// <summary>Screenshots: on failure (for diagnosis) and for the README (UPDATE_SCREENSHOTS=1 writes docs/images).</summary>
public static class Artifacts
{
    public static string Directory { get; } = System.IO.Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;

    public static async Task OnFailureAsync(IPage page, string testName, Func<Task> test)
    {
        try
        {
            await test();
        }
        catch
        {
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(Directory, testName + ".png"), FullPage = true });
            throw;
        }
    }

    public static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ServerDashboard.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("ServerDashboard.sln not found");
    }
}
