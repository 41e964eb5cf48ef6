namespace Jarvis.AppHost;

/// <summary>A bad app-host setting; the message names the setting and what it must be, never its value when that may be secret.</summary>
internal sealed class AppHostSettingException(string key, string problem) : Exception($"{key} {problem}.")
{
    /// <summary>The setting at fault, such as <c>Jarvis:Containers</c>.</summary>
    public string Key { get; } = key;
}
