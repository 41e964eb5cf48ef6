global using Jarvis.AppHost;
