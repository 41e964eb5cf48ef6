var builder = DistributedApplication.CreateBuilder(args);
builder.AddProject<Projects.Baseline_Web>("web").WithHttpHealthCheck("/");
builder.Build().Run();
