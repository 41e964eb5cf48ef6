using Jarvis.AppHost.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

var memory = builder.AddProject("memory", "Jarvis.Memory");
var voice = builder.AddProject("voice", "Jarvis.Voice");

builder.AddProject("api", "Jarvis.Api", port: 5080)
       .WithReference(memory)
       .WithReference(voice)
       .WaitFor(memory);

builder.Build().Run();
