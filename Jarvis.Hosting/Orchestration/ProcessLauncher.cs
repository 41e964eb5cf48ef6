using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Jarvis.Hosting.Orchestration;

/// <summary>
/// Starts child processes so that none outlives the app host, even one killed with SIGKILL: each child is started
/// through util-linux's <c>setpriv --pdeathsig TERM</c>, so the kernel sends it SIGTERM when its parent dies.
/// </summary>
/// <remarks>
/// The kernel ties the parent-death signal to the thread that forked the child, not to the process, and thread-pool
/// threads come and go. So every child is forked from one dedicated thread that lives as long as the app host.
/// </remarks>
public sealed partial class ProcessLauncher : IDisposable
{
    private const string SetPriv = "/usr/bin/setpriv";
    private const int SigTerm = 15;

    private readonly BlockingCollection<(ProcessStartInfo StartInfo, bool ParentDeathSignal, TaskCompletionSource<Process> Started)> _queue = [];
    private readonly bool _useParentDeathSignal = OperatingSystem.IsLinux() && File.Exists(SetPriv);

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
    public static bool Terminate(Process process) => Kill(process.Id, SigTerm) == 0;

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
                started.SetResult(Process.Start(parentDeathSignal && _useParentDeathSignal ? WithParentDeathSignal(startInfo) : startInfo)!);
            }
            catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
            {
                started.SetException(new DistributedApplicationException($"Cannot start '{startInfo.FileName}': {e.Message}", e));
            }
        }
    }

    private static ProcessStartInfo WithParentDeathSignal(ProcessStartInfo startInfo)
    {
        // setpriv sets the signal, then execs the command in the same process: the pid is the command's.
        var command = startInfo.FileName;
        startInfo.FileName = SetPriv;
        var args = startInfo.ArgumentList.ToList();
        startInfo.ArgumentList.Clear();
        foreach (var arg in (string[])["--pdeathsig", "TERM", "--", command, .. args])
        {
            startInfo.ArgumentList.Add(arg);
        }

        return startInfo;
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
