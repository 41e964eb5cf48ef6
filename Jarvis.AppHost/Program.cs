var builder = DistributedApplication.CreateBuilder(args);

var apiKey = builder.AddParameter("jarvis-api-key", secret: true);

var qdrant = builder.AddQdrant("qdrant").WithDataVolume();
var ollama = builder.AddOllama("ollama").WithDataVolume();
var llm = ollama.AddModel("llama3.2:1b");
var embeddings = ollama.AddModel("nomic-embed-text");

var memory = builder.AddProject<Projects.Jarvis_Memory>("memory")
                    .WithReference(qdrant)
                    .WithReference(embeddings)
                    .WaitFor(qdrant)
                    .WithHttpHealthCheck("/health");

var voice = builder.AddProject<Projects.Jarvis_Voice>("voice")
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
