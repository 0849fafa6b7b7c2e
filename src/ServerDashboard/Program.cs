using ServerDashboard.Cli;

// One executable: the web app by default, plus admin commands (see `ServerDashboard --help`).
return await DashboardCli.RunAsync(args);

/// <summary>Entry point type; WebApplicationFactory&lt;Program&gt; in the tests starts the app through it.</summary>
public partial class Program;
