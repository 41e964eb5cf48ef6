namespace Jarvis.Hosting;

/// <summary>An error in the application's composition or its start, with a message meant for the person running it.</summary>
public sealed class DistributedApplicationException(string message, Exception? inner = null) : Exception(message, inner);
