using System.Net;
using System.Net.Sockets;

/// <summary>What the benchmarks that start built services share: the repository, free ports, waiting for liveness.</summary>
internal static class BenchServices
{
    /// <summary>Waits until <paramref name="baseAddress"/> answers <c>/alive</c> (30 s at most).</summary>
    public static async Task WaitHealthyAsync(HttpClient http, Uri baseAddress)
    {
        for (var i = 0; i < 300; i++)
        {
            try
            {
                if ((await http.GetAsync(new Uri(baseAddress, "/alive"))).IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            await Task.Delay(100);
        }

        throw new InvalidOperationException($"{baseAddress} did not start: build in Release first (dotnet build Jarvis.sln -c Release).");
    }

    /// <summary>A loopback port free now.</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>The repository's root (where Jarvis.sln is).</summary>
    public static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Jarvis.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("Run the benchmark from the Jarvis repository.");
    }
}
