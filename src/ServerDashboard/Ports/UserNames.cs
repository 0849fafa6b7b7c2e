using System.Globalization;

namespace ServerDashboard.Ports;

/// <summary>uid → account name from /etc/passwd (the dashboard links no NSS library); the number itself when unknown.</summary>
public sealed class UserNames
{
    public string NameOf(int uid)
    {
        try
        {
            foreach (string line in File.ReadLines("/etc/passwd"))
            {
                string[] f = line.Split(':');
                if (f.Length > 2 && int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out int id) && id == uid)
                {
                    return f[0];
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return uid.ToString(CultureInfo.InvariantCulture);
    }
}
