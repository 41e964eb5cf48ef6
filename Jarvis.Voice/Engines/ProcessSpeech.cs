using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using Jarvis.Voice.Audio;

namespace Jarvis.Voice.Engines;

/// <summary>Speech streamed from an engine process that writes a WAV file to its standard output.</summary>
public static class ProcessSpeech
{
    /// <summary>Starts the engine, writes <paramref name="text"/> to its stdin, and returns the audio as it comes.</summary>
    public static async Task<SpeechAudio> StartAsync(string executable, IEnumerable<string> arguments, string text, CancellationToken cancellationToken)
    {
        var stderr = new StringBuilder();
        var process = EngineProcess.Start(executable, arguments, stderr);
        try
        {
            // flite speaks nothing from a last line without its newline.
            await process.StandardInput.WriteLineAsync(text.AsMemory(), cancellationToken);
            process.StandardInput.Close();
            var output = process.StandardOutput.BaseStream;
            var format = await WavReader.ReadStreamingHeaderAsync(output, cancellationToken);
            return new SpeechAudio(format, ReadSamplesAsync(process, output, stderr, cancellationToken));
        }
        catch (Exception e) when (e is EndOfStreamException or WavFormatException)
        {
            EngineProcess.Stop(process);
            await process.WaitForExitAsync(CancellationToken.None);
            var (code, reason) = (process.ExitCode, stderr.ToString().Trim());
            process.Dispose();
            throw new InvalidOperationException($"{Path.GetFileName(executable)} wrote no audio (exit code {code}): {reason}", e);
        }
        catch
        {
            EngineProcess.Stop(process);
            process.Dispose();
            throw;
        }
    }

    private static async IAsyncEnumerable<ReadOnlyMemory<byte>> ReadSamplesAsync(
        Process process, Stream output, StringBuilder stderr, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        try
        {
            // Chunks are whole 16-bit samples: a reader may hand back an odd count.
            var buffer = new byte[16 * 1024];
            var carry = 0;
            int read;
            while ((read = await output.ReadAsync(buffer.AsMemory(carry), cancellationToken)) > 0)
            {
                var total = carry + read;
                var whole = total - (total % 2);
                yield return buffer.AsSpan(0, whole).ToArray();
                carry = total - whole;
                if (carry > 0)
                {
                    buffer[0] = buffer[whole];
                }
            }

            await process.WaitForExitAsync(cancellationToken);
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{process.StartInfo.FileName} failed (exit code {process.ExitCode}): {stderr.ToString().Trim()}");
            }
        }
        finally
        {
            EngineProcess.Stop(process);
            process.Dispose();
        }
    }
}
