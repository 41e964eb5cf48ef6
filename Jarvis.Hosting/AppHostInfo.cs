using System.Reflection;

namespace Jarvis.Hosting;

/// <summary>The app host assembly and project directory.</summary>
public sealed record AppHostInfo(Assembly Assembly, string ProjectDirectory);
