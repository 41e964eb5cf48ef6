using System.Globalization;
using System.Runtime.InteropServices;

namespace Jarvis.Tests.Infrastructure;

/// <summary>One process as /proc shows it; the start time tells it apart from a later process given the same pid.</summary>
public sealed record ProcessInfo(int Pid, int ParentPid, char State, long StartTime, string CommandLine);

/// <summary>What the stack tests read of Linux processes: /proc (environment, parent, state) and kill(2).</summary>
public static partial class LinuxProcesses
{
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    /// <summary>The environment a process started with (<c>/proc/PID/environ</c>, NUL-separated NAME=value).</summary>
    public static Dictionary<string, string> ReadEnvironment(int pid)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in File.ReadAllText($"/proc/{pid}/environ").Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals > 0)
            {
                variables[entry[..equals]] = entry[(equals + 1)..];
            }
        }

        return variables;
    }

    /// <summary>The process, or null when there is none with that pid.</summary>
    public static ProcessInfo? Read(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");

            // The command name (field 2) is in parentheses and may hold spaces: the fields after it start after the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var commandLine = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
            return new ProcessInfo(
                pid,
                int.Parse(fields[1], CultureInfo.InvariantCulture),
                fields[0][0],
                long.Parse(fields[19], CultureInfo.InvariantCulture),
                commandLine);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The resident set size of a process in bytes (<c>VmRSS</c> in <c>/proc/PID/status</c>).</summary>
    public static long ResidentBytes(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>How many threads a process has (<c>Threads</c> in <c>/proc/PID/status</c>).</summary>
    public static int Threads(int pid)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("Threads:", StringComparison.Ordinal));
        return int.Parse(line["Threads:".Length..].Trim(), CultureInfo.InvariantCulture);
    }

    /// <summary>Every process whose parent chain leads to <paramref name="pid"/>.</summary>
    public static List<ProcessInfo> Descendants(int pid)
    {
        var all = Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(name => name is { Length: > 0 } && name.All(char.IsAsciiDigit))
            .Select(name => Read(int.Parse(name!, CultureInfo.InvariantCulture)))
            .OfType<ProcessInfo>()
            .ToList();
        var found = new List<ProcessInfo>();
        var parents = new Queue<int>([pid]);
        while (parents.TryDequeue(out var parent))
        {
            foreach (var child in all.Where(p => p.ParentPid == parent))
            {
                found.Add(child);
                parents.Enqueue(child.Pid);
            }
        }

        return found;
    }

    /// <summary>True while the same process (not a later one with its pid) exists and is not a zombie.</summary>
    public static bool IsAlive(ProcessInfo process) =>
        Read(process.Pid) is { } now && now.StartTime == process.StartTime && now.State is not ('Z' or 'X');

    /// <summary>True when the process ignores the signal (SIG_IGN), as one started in the background by a shell ignores SIGINT.</summary>
    public static bool IgnoresSignal(int pid, int signal)
    {
        var line = File.ReadLines($"/proc/{pid}/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        var mask = ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        return (mask & (1UL << (signal - 1))) != 0;
    }

    /// <summary>Sends a signal; throws when kill(2) fails.</summary>
    public static void Signal(int pid, int signal)
    {
        if (Kill(pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({pid}, {signal}) failed with errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    /// <summary>SIGKILLs whatever of <paramref name="processes"/> is still alive (cleanup after a failed test).</summary>
    public static void KillSurvivors(IEnumerable<ProcessInfo> processes)
    {
        foreach (var process in processes.Where(IsAlive))
        {
            _ = Kill(process.Pid, SigKill);
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
