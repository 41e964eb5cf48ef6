using System.Diagnostics;
using System.Text;

namespace Jarvis.Voice.Engines;

/// <summary>
/// One <c>pocketsphinx_continuous</c> process, started ahead of its request: it loads its model, then waits to open its
/// input, a named pipe. The request writes its WAV into the pipe and reads the transcript, so the model's loading is
/// off the request's path. Used once, then disposed (the CLI decodes one input per process).
/// </summary>
internal sealed class PocketsphinxRecogniser : IDisposable
{
    private readonly DirectoryInfo _directory;
    private readonly string _pipe;
    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private PocketsphinxRecogniser(EngineOptions engine)
    {
        _directory = Directory.CreateTempSubdirectory("jarvis-voice-");
        _pipe = Path.Combine(_directory.FullName, "audio.wav");
        MakePipe(_pipe);
        var model = engine.ModelDirectory!;
        string[] arguments =
        [
            "-infile", _pipe, "-samprate", "16000", "-logfn", "/dev/null",
            "-hmm", Path.Combine(model, "en-us"), "-lm", Path.Combine(model, "en-us.lm.bin"), "-dict", Path.Combine(model, "cmudict-en-us.dict"),
        ];
        _process = EngineProcess.Start(engine.Executable, arguments, _stderr);
        _process.StandardInput.Close();
    }

    /// <summary>Whether the process still waits for its input.</summary>
    public bool IsAlive => !_process.HasExited;

    /// <summary>Starts a recogniser; it is ready once its model has loaded.</summary>
    public static PocketsphinxRecogniser Start(EngineOptions engine) => new(engine);

    /// <summary>Decodes <paramref name="wav"/> (16 kHz mono): one line per utterance heard.</summary>
    public async Task<string> RecogniseAsync(byte[] wav, CancellationToken cancellationToken)
    {
        var output = _process.StandardOutput.ReadToEndAsync(cancellationToken);
        await WriteInputAsync(wav, cancellationToken);
        var text = await output;
        await _process.WaitForExitAsync(cancellationToken);
        return _process.ExitCode == 0
            ? text
            : throw new InvalidOperationException($"pocketsphinx failed (exit code {_process.ExitCode}): {Stderr()}");
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        EngineProcess.Stop(_process);
        _process.Dispose();
        _directory.Delete(recursive: true);
    }

    private async Task WriteInputAsync(byte[] wav, CancellationToken cancellationToken)
    {
        // Opening a pipe to write waits for its reader: the recogniser, once its model is loaded. If the process has died
        // instead, nothing would ever open it: opening the read end here releases the waiting writer.
        var opening = Task.Run(() => new FileStream(_pipe, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, bufferSize: 0), CancellationToken.None);
        var exited = _process.WaitForExitAsync(cancellationToken);
        if (await Task.WhenAny(opening, exited) != opening)
        {
            using (new FileStream(_pipe, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0))
            {
                await (await opening).DisposeAsync();
            }

            cancellationToken.ThrowIfCancellationRequested();
            throw new InvalidOperationException($"pocketsphinx exited before reading its input (exit code {_process.ExitCode}): {Stderr()}");
        }

        await using var input = await opening;
        await input.WriteAsync(wav, cancellationToken);
    }

    private string Stderr()
    {
        lock (_stderr)
        {
            return _stderr.ToString().Trim();
        }
    }

    private static void MakePipe(string path)
    {
        var info = new ProcessStartInfo("mkfifo") { UseShellExecute = false, RedirectStandardError = true };
        info.ArgumentList.Add("-m");
        info.ArgumentList.Add("600");
        info.ArgumentList.Add(path);
        using var mkfifo = Process.Start(info) ?? throw new InvalidOperationException("mkfifo did not start.");
        var error = mkfifo.StandardError.ReadToEnd();
        mkfifo.WaitForExit();
        if (mkfifo.ExitCode != 0)
        {
            throw new InvalidOperationException($"mkfifo {path} failed: {error.Trim()}");
        }
    }
}
