namespace ServerDashboard.Hosting;

/// <summary>
/// Where the generated first-run admin password is shown: the console only (not the log file), once.
/// Tests swap the writer to read it.
/// </summary>
public sealed class FirstRunBanner(TextWriter writer)
{
    public FirstRunBanner()
        : this(Console.Out)
    {
    }

    public void ShowAdminPassword(string userName, string password)
    {
        writer.WriteLine($"""

            ==================================================================
             ServerDashboard first start: created the account '{userName}'.
             Password (shown only this once, change it after logging in):

                 {password}

            ==================================================================

            """);
        writer.Flush();
    }
}
