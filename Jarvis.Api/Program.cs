using Jarvis.Api.Chat;
using Jarvis.Api.OpenAi;
using Jarvis.Api.Security;
using Jarvis.Api.Skills;
using Jarvis.Api.WebSockets;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApiSecurity();
builder.AddChat();
builder.AddMemorySkill();
builder.AddTimeSkill();
builder.AddWeatherSkill();
builder.AddHomeAssistantSkill();
builder.AddHangmanSkill();
builder.AddChatSockets();
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();

var app = builder.Build();

app.UseSecurityHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseCors(ApiSecurityExtensions.CorsPolicy);
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseWebSockets();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapBrowserTokens();
app.MapChatApi();
app.MapOpenAiApi();
app.MapChatSockets();

app.Run();
