using System.Collections;
using Microsoft.Extensions.Configuration.EnvironmentVariables;

namespace ServerDashboard.Hosting;

/// <summary>A configuration value the dashboard cannot start with. The message names the setting as the admin wrote it.</summary>
public sealed class InvalidConfigurationException(string message) : Exception(message);

/// <summary>
/// Reads the seed's <c>DAEMON_*</c> environment variables as aliases (<see cref="DaemonVariables"/>). Inserted before the
/// environment-variables provider, so the native spelling (<c>Dashboard__Monitoring__IntervalSeconds</c>) and the command
/// line win when both are set. Every bad value is reported at once, as <see cref="InvalidConfigurationException"/>.
/// </summary>
public sealed class DaemonEnvironmentSource(IDictionary? environment = null) : IConfigurationSource
{
    public IConfigurationProvider Build(IConfigurationBuilder builder) => new Provider(environment ?? Environment.GetEnvironmentVariables());

    /// <summary>Adds the aliases to <paramref name="configuration"/> just below its environment variables (or on top when it has none).</summary>
    public static void AddTo(IConfigurationBuilder configuration, IDictionary? environment = null)
    {
        var sources = configuration.Sources;
        var index = sources.Count;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is EnvironmentVariablesConfigurationSource)
            {
                index = i;
                break;
            }
        }

        sources.Insert(index, new DaemonEnvironmentSource(environment));
    }

    private sealed class Provider(IDictionary environment) : ConfigurationProvider
    {
        public override void Load()
        {
            var data = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            var errors = new List<string>();
            foreach (var variable in DaemonVariables.All)
            {
                if (environment[variable.Name] is not string value)
                {
                    continue;
                }

                try
                {
                    data[variable.Key] = variable.Convert(value);
                }
                catch (FormatException e)
                {
                    errors.Add($"{variable.Name}={Text.LogText.Escape(Shorten(value))} is not valid: {e.Message} (it sets {variable.Key}).");
                }
            }

            if (errors.Count > 0)
            {
                throw new InvalidConfigurationException(string.Join(Environment.NewLine, errors));
            }

            Data = data;
        }

        private static string Shorten(string value) => value.Length > 80 ? value[..80] + "…" : value;
    }
}
