using System.Numerics.Tensors;
using System.Text.RegularExpressions;
using Jarvis.Memory.Storage;
using Microsoft.Extensions.AI;

namespace Jarvis.Memory.Embeddings;

/// <summary>
/// The embedder used when no Ollama model is configured: feature hashing of words, word pairs and character trigrams
/// into 384 signed dimensions, L2-normalised, so cosine similarity measures shared vocabulary. It needs no model file
/// and knows no synonyms: a paraphrase that shares words ranks above unrelated text, one that shares none does not.
/// </summary>
public sealed partial class LexicalEmbedder : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The vector size.</summary>
    public const int Dimensions = 384;

    private const float WordWeight = 1.0f;
    private const float PairWeight = 0.6f;
    private const float TrigramWeight = 0.25f;

    // Words that carry no meaning of their own; hashing them would make every sentence look alike.
    private static readonly HashSet<string> s_stopWords =
    [
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "do", "for", "from", "has", "have", "i", "in", "is", "it",
        "its", "me", "my", "of", "on", "or", "so", "that", "the", "this", "to", "was", "we", "were", "with", "you", "your",
    ];

    /// <summary>The embedder's identity: <c>lexical-v1-384</c>.</summary>
    public static EmbedderDescriptor Descriptor { get; } = new("lexical", "v1", Dimensions);

    private static readonly EmbeddingGeneratorMetadata s_metadata = new("lexical", defaultModelId: "v1", defaultModelDimensions: Dimensions);

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var embeddings = new GeneratedEmbeddings<Embedding<float>>(values.Select(v => new Embedding<float>(Embed(v)) { ModelId = "v1" }));
        return Task.FromResult(embeddings);
    }

    /// <summary>The vector of one text.</summary>
    public static float[] Embed(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var vector = new float[Dimensions];
        var words = Words(text);
        for (var i = 0; i < words.Count; i++)
        {
            Add(vector, "w:" + words[i], WordWeight);
            if (i + 1 < words.Count)
            {
                Add(vector, $"p:{words[i]} {words[i + 1]}", PairWeight);
            }

            var padded = $"<{words[i]}>";
            for (var j = 0; j + 3 <= padded.Length; j++)
            {
                Add(vector, string.Concat("t:", padded.AsSpan(j, 3)), TrigramWeight);
            }
        }

        var norm = TensorPrimitives.Norm(vector);
        if (norm > 0)
        {
            TensorPrimitives.Divide(vector, norm, vector);
        }

        return vector;
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EmbeddingGeneratorMetadata) ? s_metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    /// <inheritdoc />
    public void Dispose()
    {
    }

    private static List<string> Words(string text) =>
        [.. WordPattern().Matches(text.ToLowerInvariant()).Select(m => m.Value).Where(w => !s_stopWords.Contains(w))];

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex WordPattern();

    /// <summary>Adds a feature at its hashed dimension, with a hashed sign so collisions cancel out on average.</summary>
    private static void Add(float[] vector, string feature, float weight)
    {
        var hash = Fnv1a(feature);
        vector[(int)(hash % Dimensions)] += (hash >> 63) == 0 ? weight : -weight;
    }

    /// <summary>FNV-1a: stable across processes and platforms, unlike string.GetHashCode.</summary>
    private static ulong Fnv1a(string value)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }
}
