global using Jarvis.Hosting;
