using System.ComponentModel.DataAnnotations;

namespace Jarvis.Memory.Storage;

/// <summary>The embedded store (section <c>Memory:Embedded</c>).</summary>
public sealed class EmbeddedStoreOptions
{
    /// <summary>Where <c>memory.db</c> lives; relative paths are relative to the content root.</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";
}
