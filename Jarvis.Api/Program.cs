using Jarvis.Api.Chat;
using Jarvis.Api.Memory;
using Jarvis.Api.OpenAi;
using Jarvis.Api.Security;
using Jarvis.Api.Skills;
using Jarvis.Api.Voice;
using Jarvis.Api.Web;
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
builder.AddVoiceTurns();
builder.AddWebPage();
builder.Services.AddProblemDetails();
builder.Services.AddOpenApi();

var app = builder.Build();

app.UseSecurityHeaders();
app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseWebPage();
app.UseCors(ApiSecurityExtensions.CorsPolicy);
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();
app.UseWebSockets();

app.MapDefaultEndpoints();
app.MapOpenApi();
app.MapBrowserTokens();
app.MapChatApi();
app.MapMemoryApi();
app.MapOpenAiApi();
app.MapChatSockets();
app.MapVoiceTurns();
app.MapWebPage();

app.Run();
