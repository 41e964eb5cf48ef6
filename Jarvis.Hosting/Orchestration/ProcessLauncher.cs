using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Jarvis.Hosting.Orchestration;

/// <summary>
/// Starts child processes so that none outlives the app host, even one killed with SIGKILL: each child is started
/// through util-linux's <c>setpriv --pdeathsig TERM</c>, so the kernel sends it SIGTERM when its parent dies; and in a
/// session of its own, so only the app host decides when it stops.
/// </summary>
/// <remarks>
/// The kernel ties the parent-death signal to the thread that forked the child, not to the process, and thread-pool
/// threads come and go. So every child is forked from one dedicated thread that lives as long as the app host.
/// </remarks>
public sealed partial class ProcessLauncher : IDisposable
{
    private const string SetPriv = "/usr/bin/setpriv";
    private const string SetSid = "/usr/bin/setsid";
    private const int SigTerm = 15;

    private readonly BlockingCollection<(ProcessStartInfo StartInfo, bool ParentDeathSignal, TaskCompletionSource<Process> Started)> _queue = [];
    private readonly bool _useParentDeathSignal = OperatingSystem.IsLinux() && File.Exists(SetPriv);
    private readonly bool _useSetSid = OperatingSystem.IsLinux() && File.Exists(SetSid);

    /// <summary>Starts the launcher thread.</summary>
    public ProcessLauncher()
    {
        var thread = new Thread(LaunchLoop) { IsBackground = true, Name = "Jarvis process launcher" };
        thread.Start();
    }

    /// <summary>
    /// Starts a process on the launcher thread; with <paramref name="parentDeathSignal"/> false it may outlive the app
    /// host (a watchdog that cleans up after it).
    /// </summary>
    public Task<Process> StartAsync(ProcessStartInfo startInfo, bool parentDeathSignal = true)
    {
        var started = new TaskCompletionSource<Process>(TaskCreationOptions.RunContinuationsAsynchronously);
        _queue.Add((startInfo, parentDeathSignal, started));
        return started.Task;
    }

    /// <summary>Asks a process to stop (SIGTERM); returns false if it is already gone.</summary>
    public static bool Terminate(Process process)
    {
        try
        {
            return Kill(process.Id, SigTerm) == 0;
        }
        catch (InvalidOperationException)
        {
            // Already exited and disposed.
            return false;
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _queue.CompleteAdding();
    }

    private void LaunchLoop()
    {
        foreach (var (startInfo, parentDeathSignal, started) in _queue.GetConsumingEnumerable())
        {
            try
            {
                started.SetResult(Process.Start(Wrap(startInfo, parentDeathSignal && _useParentDeathSignal))!);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                started.SetException(new DistributedApplicationException($"Cannot start '{startInfo.FileName}': {e.Message}", e));
            }
        }
    }

    /// <summary>
    /// Runs the command in a session of its own (<c>setsid</c>), so a terminal's Ctrl+C reaches only the app host, which
    /// then stops the children in dependency order; and with the parent-death signal (<c>setpriv --pdeathsig TERM</c>).
    /// Both exec in place: the pid is the command's.
    /// </summary>
    private ProcessStartInfo Wrap(ProcessStartInfo startInfo, bool parentDeathSignal)
    {
        string[] prefix = [.. _useSetSid ? [SetSid] : Array.Empty<string>(), .. parentDeathSignal ? [SetPriv, "--pdeathsig", "TERM", "--"] : Array.Empty<string>()];
        if (prefix.Length == 0)
        {
            return startInfo;
        }

        var command = startInfo.FileName;
        var args = startInfo.ArgumentList.ToList();
        startInfo.FileName = prefix[0];
        startInfo.ArgumentList.Clear();
        foreach (var arg in prefix.Skip(1).Append(command).Concat(args))
        {
            startInfo.ArgumentList.Add(arg);
        }

        return startInfo;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
