namespace Jarvis.Hosting.Dashboard;

/// <summary>Where the dashboard keeps telemetry (<c>Dashboard:Storage</c>).</summary>
public enum TelemetryStorage
{
    /// <summary>In memory only: gone when the app host stops.</summary>
    Memory,

    /// <summary>In memory and in a SQLite file (<c>Dashboard:SqlitePath</c>), so it survives a restart of the app host.</summary>
    Sqlite,
}
