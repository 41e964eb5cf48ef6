using System.Runtime.CompilerServices;
using System.Text;
using Jarvis.Voice.Audio;

namespace Jarvis.Voice.Engines;

/// <summary>
/// Speech from an engine that must write a WAV file (flite seeks back to fill in the header, so it cannot write to a
/// pipe): run it into a private temp directory, then stream the file and delete the directory.
/// </summary>
public static class FileSpeech
{
    /// <summary>Runs the engine with <paramref name="arguments"/> (given the output path), text on stdin.</summary>
    public static async Task<SpeechAudio> RunAsync(string executable, Func<string, IEnumerable<string>> arguments, string text, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var directory = Directory.CreateTempSubdirectory("jarvis-voice-");
        try
        {
            var file = Path.Combine(directory.FullName, "speech.wav");
            var stderr = new StringBuilder();
            using (var process = EngineProcess.Start(executable, arguments(file), stderr))
            {
                try
                {
                    await process.StandardInput.WriteLineAsync(text.AsMemory(), cancellationToken);
                    process.StandardInput.Close();
                    await process.WaitForExitAsync(cancellationToken);
                }
                finally
                {
                    EngineProcess.Stop(process);
                }

                if (process.ExitCode != 0 || !File.Exists(file))
                {
                    throw new InvalidOperationException($"{Path.GetFileName(executable)} failed (exit code {process.ExitCode}): {stderr.ToString().Trim()}");
                }
            }

            var stream = File.OpenRead(file);
            var format = await WavReader.ReadStreamingHeaderAsync(stream, cancellationToken);
            return new SpeechAudio(format, ReadAsync(stream, directory, cancellationToken));
        }
        catch
        {
            directory.Delete(recursive: true);
            throw;
        }
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadAsync(FileStream stream, DirectoryInfo directory, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            var buffer = new byte[16 * 1024];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                yield return buffer.AsSpan(0, read - (read % 2)).ToArray();
            }
        }
        finally
        {
            await stream.DisposeAsync();
            directory.Delete(recursive: true);
        }
    }
}
