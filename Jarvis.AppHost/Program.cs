var builder = DistributedApplication.CreateBuilder(args);

var apiKey = builder.AddParameter("jarvis-api-key", secret: true);

var qdrant = builder.AddQdrant("qdrant").WithDataVolume();
var ollama = builder.AddOllama("ollama").WithDataVolume();
var llm = ollama.AddModel("llama3.2:1b");
var embeddings = ollama.AddModel("nomic-embed-text");
var stt = builder.AddWyomingWhisper("stt").WithDataVolume();
var tts = builder.AddWyomingPiper("tts").WithDataVolume();

var memory = builder.AddProject<Projects.Jarvis_Memory>("memory")
                    .WithReference(qdrant)
                    .WithReference(embeddings)
                    .WaitFor(qdrant)
                    .WithHttpHealthCheck("/health");

// No WaitFor: Voice falls back to its local engines until the Wyoming servers answer.
var voice = builder.AddProject<Projects.Jarvis_Voice>("voice")
                   .WithReference(stt)
                   .WithReference(tts)
                   .WithHttpHealthCheck("/health");

builder.AddProject<Projects.Jarvis_Api>("api")
       .WithReference(memory)
       .WithReference(voice)
       .WithReference(llm)
       .WithEnvironment("Jarvis__ApiKey", apiKey)
       .WaitFor(memory)
       .WithHttpHealthCheck("/health")
       .WithExternalHttpEndpoints();

builder.Build().Run();
