using Microsoft.Extensions.Configuration;

using System.ComponentModel;
using System.Diagnostics;

namespace Jarvis.AppHost;

/// <summary>Whether a container engine can run containers on this machine, asked the way DCP would: <c>docker info</c>.</summary>
internal static class ContainerEngine
{
    private static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The runtime Aspire uses: <c>ASPIRE_CONTAINER_RUNTIME</c> (or its older <c>DOTNET_</c> name), else docker.</summary>
    public static string RuntimeName(IConfiguration configuration) =>
        configuration["ASPIRE_CONTAINER_RUNTIME"] ?? configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"] ?? "docker";

    /// <summary>Null when the engine answers <c>info</c> with success; otherwise why it cannot run containers.</summary>
    public static string? WhyUnavailable(string runtime)
    {
        var start = new ProcessStartInfo(runtime, ["info", "--format", "{{json .}}"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        try
        {
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            if (!process.WaitForExit(ProbeTimeout))
            {
                process.Kill(entireProcessTree: true);
                return $"'{runtime} info' did not answer within {ProbeTimeout.TotalSeconds:0} s";
            }

            return process.ExitCode == 0
                ? null
                : $"'{runtime} info' failed ({FirstLine(error.Result) ?? $"exit code {process.ExitCode}"})";
        }
        catch (Win32Exception)
        {
            return $"{runtime} is not installed";
        }
    }

    private static string? FirstLine(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault();
}
