using System.Text;

namespace Jarvis.Memory.Memories;

/// <summary>Checks requests field by field; each problem names the field and says why, for a 400 problem detail.</summary>
internal static class MemoryValidation
{
    public const int MaxTextBytes = 8 * 1024;
    public const int MaxUserIdLength = 128;
    public const int MaxTags = 32;
    public const int MaxTagLength = 64;
    public const int MaxLimit = 100;

    public static Dictionary<string, string[]> Store(StoreMemoryRequest request, out NewMemory? memory)
    {
        var errors = new Dictionary<string, string[]>();
        UserId(request.UserId, errors);
        Text(request.Text, "text", errors);
        // Only the three names: Enum.TryParse would also take "1" or "fact,episode".
        MemoryKind? kind = request.Kind switch
        {
            null or "fact" => MemoryKind.Fact,
            "preference" => MemoryKind.Preference,
            "episode" => MemoryKind.Episode,
            _ => null,
        };
        if (kind is null)
        {
            errors["kind"] = ["must be one of: fact, preference, episode."];
        }

        if (request.Importance is { } importance && (double.IsNaN(importance) || importance is < 0 or > 1))
        {
            errors["importance"] = ["must be a number from 0 to 1."];
        }

        var tags = Tags(request.Tags, errors);
        memory = errors.Count == 0 ? new NewMemory(request.UserId!, request.Text!, kind!.Value, request.Importance ?? 0.5, tags) : null;
        return errors;
    }

    public static Dictionary<string, string[]> Search(SearchMemoriesRequest request, out MemoryQuery? query)
    {
        var errors = new Dictionary<string, string[]>();
        UserId(request.UserId, errors);
        Text(request.Query, "query", errors);
        if (request.Limit is { } limit && limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"must be from 1 to {MaxLimit}."];
        }

        if (request.MinScore is { } minScore && (double.IsNaN(minScore) || minScore is < 0 or > 1))
        {
            errors["minScore"] = ["must be a number from 0 to 1."];
        }

        var tags = Tags(request.Tags, errors);
        query = errors.Count == 0 ? new MemoryQuery(request.UserId!, request.Query!, request.Limit ?? 5, request.MinScore, tags) : null;
        return errors;
    }

    public static Dictionary<string, string[]> Page(string? userId, int? limit)
    {
        var errors = new Dictionary<string, string[]>();
        UserId(userId, errors);
        if (limit is { } value && value is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"must be from 1 to {MaxLimit}."];
        }

        return errors;
    }

    public static Dictionary<string, string[]> User(string? userId)
    {
        var errors = new Dictionary<string, string[]>();
        UserId(userId, errors);
        return errors;
    }

    public static void UserId(string? userId, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(userId))
        {
            errors["userId"] = ["is required."];
        }
        else if (userId.Length > MaxUserIdLength || userId.Any(char.IsControl))
        {
            errors["userId"] = [$"must be at most {MaxUserIdLength} characters, without control characters."];
        }
    }

    public static void Text(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            errors[field] = ["is required."];
        }
        else if (Encoding.UTF8.GetByteCount(text) > MaxTextBytes)
        {
            errors[field] = [$"must be at most {MaxTextBytes} bytes of UTF-8 (it is {Encoding.UTF8.GetByteCount(text)})."];
        }
    }

    private static IReadOnlyList<string> Tags(IReadOnlyList<string>? tags, Dictionary<string, string[]> errors)
    {
        if (tags is null)
        {
            return [];
        }

        if (tags.Count > MaxTags || tags.Any(t => string.IsNullOrWhiteSpace(t) || t.Length > MaxTagLength))
        {
            errors["tags"] = [$"must be at most {MaxTags} non-empty tags of at most {MaxTagLength} characters."];
            return [];
        }

        return [.. tags.Distinct(StringComparer.Ordinal)];
    }
}
