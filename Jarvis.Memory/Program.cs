using Jarvis.Memory;
using Jarvis.Memory.Conversations;
using Jarvis.Memory.Memories;
using Jarvis.Memory.Usage;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddMemoryStore();
builder.AddEmbeddings();
builder.AddMemories();
builder.Services.AddProblemDetails();
builder.Services.AddExceptionHandler<BackendExceptionHandler>();
builder.Services.AddOpenApi();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapMemoryApi();
app.MapConversationApi();
app.MapUsageApi();

app.Run();
