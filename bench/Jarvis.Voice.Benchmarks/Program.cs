using System.Buffers.Binary;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using static BenchServices;

// Measures Jarvis.Voice's /api/tts (flite) and /api/stt (pocketsphinx) on a 3-second English utterance: the built
// service is started as a process on loopback (one fresh process each, so each cold figure is the first request of a
// fresh service), warm figures are medians of 10. The bare engines, run here as processes with the arguments the
// service's engines use, are the baseline of the service/bare ratios. Usage: bench/voice.sh.
const string Sentence = "What is the weather like in Paris tomorrow morning?";
const int Runs = 10;
const string Model = "/usr/share/pocketsphinx/model/en-us";
var root = FindRoot();

var (ttsService, ttsUrl) = StartVoice();
var (sttService, sttUrl) = StartVoice();
using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
var scratch = Directory.CreateTempSubdirectory("jarvis-bench-voice-");
try
{
    await WaitHealthyAsync(http, ttsUrl);
    await WaitHealthyAsync(http, sttUrl);

    var ttsCold = await SpeakAsync(http, ttsUrl);
    var ttsWarm = new List<Timing>();
    for (var i = 0; i < Runs; i++)
    {
        ttsWarm.Add(await SpeakAsync(http, ttsUrl));
    }

    var wav = ttsCold.Body;
    var audio = WavDuration(wav);
    if (audio.TotalSeconds is < 2.7 or > 3.3)
    {
        throw new InvalidOperationException(Format($"The utterance lasts {audio.TotalSeconds:F2} s, not about 3 s: adjust the sentence."));
    }

    var (sttCold, transcript) = await TranscribeAsync(http, sttUrl, wav);
    var sttWarm = new List<double>();
    for (var i = 0; i < Runs; i++)
    {
        sttWarm.Add((await TranscribeAsync(http, sttUrl, wav)).Milliseconds);
    }

    var file = Path.Combine(scratch.FullName, "utterance.wav");
    await File.WriteAllBytesAsync(file, wav);
    var fliteBare = new List<double>();
    var sphinxBare = new List<double>();
    for (var i = 0; i < Runs; i++)
    {
        fliteBare.Add(await TimeAsync(() => RunFliteAsync(Path.Combine(scratch.FullName, "flite.wav"))));
        sphinxBare.Add(await TimeAsync(() => RunPocketsphinxAsync(file)));
    }

    var ttsWarmMs = Median(ttsWarm.Select(t => t.Milliseconds));
    var sttWarmMs = Median(sttWarm);
    Console.WriteLine(Format($"Jarvis.Voice, \"{Sentence}\": {audio.TotalSeconds:F2} s of 16 kHz speech, {Environment.ProcessorCount} cores"));
    Console.WriteLine(Format($"  {"",-36} {"latency",10} {"first byte",11} {"RTF",7}"));
    Print("TTS cold (first request)", ttsCold.Milliseconds, ttsCold.FirstByteMilliseconds, audio);
    Print($"TTS warm (median of {Runs})", ttsWarmMs, Median(ttsWarm.Select(t => t.FirstByteMilliseconds)), audio);
    Print($"bare flite (median of {Runs})", Median(fliteBare), null, audio);
    Print("STT cold (first request)", sttCold, null, audio);
    Print($"STT warm (median of {Runs})", sttWarmMs, null, audio);
    Print($"bare pocketsphinx (median of {Runs})", Median(sphinxBare), null, audio);
    Console.WriteLine(Format($"Service/bare, warm: TTS {ttsWarmMs / Median(fliteBare):F2}x, STT {sttWarmMs / Median(sphinxBare):F2}x"));
    Console.WriteLine(Format($"Transcript: \"{transcript}\" (word error rate {WordErrorRate(Sentence, transcript):P0})"));
}
finally
{
    foreach (var process in new[] { ttsService, sttService })
    {
        process.Kill(entireProcessTree: true);
        process.Dispose();
    }

    scratch.Delete(recursive: true);
}

return;

(Process Process, Uri Url) StartVoice()
{
    var url = new Uri($"http://127.0.0.1:{FreePort()}");
    var start = new ProcessStartInfo("dotnet", [Path.Combine(root, "Jarvis.Voice", "bin", "Release", "net10.0", "Jarvis.Voice.dll")])
    {
        WorkingDirectory = Path.Combine(root, "Jarvis.Voice"),
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
    start.Environment["ASPNETCORE_URLS"] = url.ToString();
    start.Environment["Logging__LogLevel__Default"] = "Warning";
    var process = Process.Start(start)!;
    process.OutputDataReceived += (_, _) => { };
    process.ErrorDataReceived += (_, _) => { };
    process.BeginOutputReadLine();
    process.BeginErrorReadLine();
    return (process, url);
}

// Times the first byte of the body and the whole body: the service streams the WAV as it reads the engine's output.
static async Task<Timing> SpeakAsync(HttpClient http, Uri baseAddress)
{
    var started = Stopwatch.GetTimestamp();
    using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(baseAddress, "/api/tts")) { Content = JsonContent.Create(new { text = Sentence, language = "en" }) };
    using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
    response.EnsureSuccessStatusCode();
    await using var stream = await response.Content.ReadAsStreamAsync();
    using var body = new MemoryStream();
    var buffer = new byte[16 * 1024];
    double? firstByte = null;
    int read;
    while ((read = await stream.ReadAsync(buffer)) > 0)
    {
        firstByte ??= Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        body.Write(buffer, 0, read);
    }

    return new Timing(Stopwatch.GetElapsedTime(started).TotalMilliseconds, firstByte ?? 0, body.ToArray());
}

static async Task<(double Milliseconds, string Text)> TranscribeAsync(HttpClient http, Uri baseAddress, byte[] wav)
{
    var started = Stopwatch.GetTimestamp();
    using var content = new ByteArrayContent(wav);
    content.Headers.ContentType = new MediaTypeHeaderValue("audio/wav");
    using var response = await http.PostAsync(new Uri(baseAddress, "/api/stt"), content);
    response.EnsureSuccessStatusCode();
    var transcription = await response.Content.ReadFromJsonAsync<Transcription>();
    return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, transcription!.Text);
}

// The arguments of FliteTextToSpeechEngine: text on stdin, WAV to a file (read back, as the service streams it).
static async Task RunFliteAsync(string output)
{
    await RunAsync("flite", ["-voice", "slt", "-f", "/dev/stdin", "-o", output], Sentence);
    await File.ReadAllBytesAsync(output);
}

// The arguments of PocketsphinxSpeechToTextEngine on a 16 kHz mono file.
static Task RunPocketsphinxAsync(string input) => RunAsync("pocketsphinx_continuous",
[
    "-infile", input, "-samprate", "16000", "-logfn", "/dev/null",
    "-hmm", Path.Combine(Model, "en-us"), "-lm", Path.Combine(Model, "en-us.lm.bin"), "-dict", Path.Combine(Model, "cmudict-en-us.dict"),
], null);

static async Task RunAsync(string executable, string[] arguments, string? input)
{
    var start = new ProcessStartInfo(executable, arguments) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true };
    using var process = Process.Start(start)!;
    if (input is not null)
    {
        await process.StandardInput.WriteLineAsync(input);
    }

    process.StandardInput.Close();
    var output = process.StandardOutput.ReadToEndAsync();
    var errors = process.StandardError.ReadToEndAsync();
    await process.WaitForExitAsync();
    await Task.WhenAll(output, errors);
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"{executable} failed (exit code {process.ExitCode}): {await errors}");
    }
}

static async Task<double> TimeAsync(Func<Task> call)
{
    var started = Stopwatch.GetTimestamp();
    await call();
    return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
}

// The data chunk's length over the fmt chunk's byte rate. The service streams with an unknown (0xFFFFFFFF) data size,
// so the data runs to the end of the body.
static TimeSpan WavDuration(byte[] wav)
{
    var bytesPerSecond = 0;
    for (var offset = 12; offset + 8 <= wav.Length;)
    {
        var id = Encoding.ASCII.GetString(wav, offset, 4);
        var size = BinaryPrimitives.ReadUInt32LittleEndian(wav.AsSpan(offset + 4));
        if (id == "fmt ")
        {
            bytesPerSecond = BinaryPrimitives.ReadInt32LittleEndian(wav.AsSpan(offset + 16));
        }
        else if (id == "data")
        {
            var data = Math.Min(size, (uint)(wav.Length - offset - 8));
            return TimeSpan.FromSeconds((double)data / bytesPerSecond);
        }

        offset += 8 + (int)size;
    }

    throw new InvalidOperationException("The WAV has no data chunk.");
}

// Word-level Levenshtein distance over the reference's word count, ignoring case and punctuation.
static double WordErrorRate(string reference, string hypothesis)
{
    var expected = Words(reference);
    var heard = Words(hypothesis);
    var previous = Enumerable.Range(0, heard.Length + 1).ToArray();
    for (var i = 1; i <= expected.Length; i++)
    {
        var current = new int[heard.Length + 1];
        current[0] = i;
        for (var j = 1; j <= heard.Length; j++)
        {
            var substitution = previous[j - 1] + (expected[i - 1] == heard[j - 1] ? 0 : 1);
            current[j] = Math.Min(substitution, Math.Min(previous[j], current[j - 1]) + 1);
        }

        previous = current;
    }

    return (double)previous[heard.Length] / expected.Length;
}

static string[] Words(string text) =>
    new string(text.ToLowerInvariant().Where(c => char.IsLetterOrDigit(c) || char.IsWhiteSpace(c) || c == '\'').ToArray())
        .Split(' ', StringSplitOptions.RemoveEmptyEntries);

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static void Print(string name, double milliseconds, double? firstByte, TimeSpan audio) =>
    Console.WriteLine(Format($"  {name,-36} {milliseconds,7:F0} ms {(firstByte is { } f ? Format($"{f,8:F0} ms") : "        -  "),11} {milliseconds / audio.TotalMilliseconds,7:F3}"));

static string Format(FormattableString text) => FormattableString.Invariant(text);

internal sealed record Timing(double Milliseconds, double FirstByteMilliseconds, byte[] Body);

internal sealed record Transcription(string Text, string Language, long DurationMs, string Engine);
