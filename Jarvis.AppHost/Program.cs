var builder = DistributedApplication.CreateBuilder(args);

// Each backing service is the server ConnectionStrings:NAME names, else its container when an engine can run one
// (Jarvis:Containers), else left out: then memory, voice and api use their embedded fallbacks. Volumes are named so
// the manifest does not depend on where the repository is cloned.
var backing = builder.AddBackingServices();
var qdrant = backing.Add("qdrant", name => builder.AddQdrant(name).WithDataVolume("jarvis-qdrant-data"));
var ollama = backing.Add("ollama", name => builder.AddOllama(name).WithDataVolume("jarvis-ollama-models"));
var llm = ollama.AddModel("llama3.2:1b");
var embeddings = ollama.AddModel("nomic-embed-text");
var stt = backing.Add("stt", name => builder.AddWyomingWhisper(name).WithDataVolume("jarvis-stt-data"));
var tts = backing.Add("tts", name => builder.AddWyomingPiper(name).WithDataVolume("jarvis-tts-data"));

var apiKey = builder.AddParameter("jarvis-api-key", new GenerateParameterDefault { MinLength = 32, Special = false }, secret: true, persist: true);

var memory = builder.AddProject<Projects.Jarvis_Memory>("memory")
                    .WithReference(qdrant)
                    .WithReference(embeddings)
                    .WaitFor(qdrant)
                    .WithHttpHealthCheck("/health");

// No WaitFor: voice uses its local engines until the Wyoming servers answer.
var voice = builder.AddProject<Projects.Jarvis_Voice>("voice")
                   .WithReference(stt)
                   .WithReference(tts)
                   .WithHttpHealthCheck("/health");

builder.AddProject<Projects.Jarvis_Api>("api")
       .WithReference(memory)
       .WithReference(voice)
       .WithReference(llm)
       .WithEnvironment("Jarvis__ApiKey", apiKey)
       .WithOpenMeteo()
       .WithHomeAssistant()
       .WithDashboardLink()
       .WaitFor(memory)
       .WithHttpHealthCheck("/health")
       .WithExternalHttpEndpoints();

builder.Build().Run();
