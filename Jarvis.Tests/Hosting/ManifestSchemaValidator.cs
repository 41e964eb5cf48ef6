using System.Text.Json;
using Jarvis.Tests.Infrastructure;

namespace Jarvis.Tests.Hosting;

/// <summary>
/// Validates manifests against Aspire's manifest schema, <c>Schemas/aspire-manifest.schema.json</c> (JSON Schema
/// draft-07). JsonSchema.Net cannot be restored from the package source (its dependency JsonPointer.Net is not there),
/// so this implements the draft-07 keywords that schema uses and throws on any other keyword instead of ignoring it.
/// </summary>
internal sealed class ManifestSchemaValidator(JsonElement schema)
{
    private static readonly HashSet<string> AnnotationKeywords = ["$schema", "$id", "$comment", "title", "description", "default", "examples", "definitions"];

    private static readonly Lazy<ManifestSchemaValidator> LazyAspire = new(() =>
    {
        using var document = JsonDocument.Parse(File.ReadAllText(SchemaPath));
        return new ManifestSchemaValidator(document.RootElement.Clone());
    });

    private readonly JsonElement _root = schema;

    /// <summary>Aspire's published manifest schema (json.schemastore.org/aspire-8.0.json), kept with the tests.</summary>
    public static string SchemaPath => Path.Combine(RepositoryPaths.Root, "Jarvis.Tests", "Hosting", "Schemas", "aspire-manifest.schema.json");

    /// <summary>The validator of Aspire's manifest schema.</summary>
    public static ManifestSchemaValidator Aspire => LazyAspire.Value;

    /// <summary>Fails with every schema error in the message, and the manifest itself.</summary>
    public static void AssertValid(string manifestJson)
    {
        using var document = JsonDocument.Parse(manifestJson);
        var errors = Aspire.Validate(document.RootElement);
        Assert.True(errors.Count == 0, $"The manifest does not validate against {SchemaPath}:\n{string.Join('\n', errors)}\n\n{manifestJson}");
    }

    /// <summary>The errors, each with the JSON path of the value at fault; empty when the instance is valid.</summary>
    public List<string> Validate(JsonElement instance)
    {
        var errors = new List<string>();
        Validate(_root, instance, "$", errors);
        return errors;
    }

    private void Validate(JsonElement schema, JsonElement instance, string path, List<string> errors)
    {
        switch (schema.ValueKind)
        {
            case JsonValueKind.True:
                return;
            case JsonValueKind.False:
                errors.Add($"{path}: no value is allowed here.");
                return;
            case JsonValueKind.Object:
                break;
            default:
                throw new NotSupportedException($"A schema must be an object or a boolean, not {schema.ValueKind}.");
        }

        // Draft-07: the keywords beside $ref are ignored.
        if (schema.TryGetProperty("$ref", out var reference))
        {
            Validate(Resolve(reference.GetString()!), instance, path, errors);
            return;
        }

        foreach (var keyword in schema.EnumerateObject())
        {
            var value = keyword.Value;
            switch (keyword.Name)
            {
                case "type":
                    var types = value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().Select(t => t.GetString()!).ToList() : [value.GetString()!];
                    if (!types.Any(t => HasType(instance, t)))
                    {
                        errors.Add($"{path}: expected {string.Join(" or ", types)}, found {instance.ValueKind}.");
                    }

                    break;
                case "const":
                    if (!JsonElement.DeepEquals(value, instance))
                    {
                        errors.Add($"{path}: expected {value.GetRawText()}, found {instance.GetRawText()}.");
                    }

                    break;
                case "enum":
                    if (!value.EnumerateArray().Any(v => JsonElement.DeepEquals(v, instance)))
                    {
                        errors.Add($"{path}: {instance.GetRawText()} is not one of {value.GetRawText()}.");
                    }

                    break;
                case "required":
                    if (instance.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var name in value.EnumerateArray().Select(n => n.GetString()!).Where(n => !instance.TryGetProperty(n, out _)))
                        {
                            errors.Add($"{path}: the required property '{name}' is missing.");
                        }
                    }

                    break;
                case "properties":
                    if (instance.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var property in value.EnumerateObject())
                        {
                            if (instance.TryGetProperty(property.Name, out var propertyValue))
                            {
                                Validate(property.Value, propertyValue, $"{path}.{property.Name}", errors);
                            }
                        }
                    }

                    break;
                case "additionalProperties":
                    if (instance.ValueKind == JsonValueKind.Object)
                    {
                        var declared = schema.TryGetProperty("properties", out var properties) ? properties.EnumerateObject().Select(p => p.Name).ToHashSet() : [];
                        foreach (var property in instance.EnumerateObject().Where(p => !declared.Contains(p.Name)))
                        {
                            if (value.ValueKind == JsonValueKind.False)
                            {
                                errors.Add($"{path}: the property '{property.Name}' is not allowed.");
                            }
                            else
                            {
                                Validate(value, property.Value, $"{path}.{property.Name}", errors);
                            }
                        }
                    }

                    break;
                case "items":
                    if (instance.ValueKind == JsonValueKind.Array)
                    {
                        if (value.ValueKind == JsonValueKind.Array)
                        {
                            throw new NotSupportedException("Tuple 'items' (an array of schemas) is not implemented.");
                        }

                        var index = 0;
                        foreach (var item in instance.EnumerateArray())
                        {
                            Validate(value, item, $"{path}[{index++}]", errors);
                        }
                    }

                    break;
                case "allOf":
                    foreach (var subschema in value.EnumerateArray())
                    {
                        Validate(subschema, instance, path, errors);
                    }

                    break;
                case "anyOf":
                case "oneOf":
                    var outcomes = value.EnumerateArray().Select(subschema =>
                    {
                        var branchErrors = new List<string>();
                        Validate(subschema, instance, path, branchErrors);
                        return branchErrors;
                    }).ToList();
                    var matches = outcomes.Count(o => o.Count == 0);
                    if (matches == 0)
                    {
                        // The closest branch (fewest errors) says best what is wrong.
                        var closest = outcomes.MinBy(o => o.Count)!;
                        errors.Add($"{path}: matches none of the {keyword.Name} schemas; the closest fails with: {string.Join(" ", closest)}");
                    }
                    else if (matches > 1 && keyword.Name == "oneOf")
                    {
                        errors.Add($"{path}: matches {matches} of the oneOf schemas, not exactly one.");
                    }

                    break;
                case "not":
                    var notErrors = new List<string>();
                    Validate(value, instance, path, notErrors);
                    if (notErrors.Count == 0)
                    {
                        errors.Add($"{path}: matches a schema it must not match ({value.GetRawText()}).");
                    }

                    break;
                default:
                    if (!AnnotationKeywords.Contains(keyword.Name))
                    {
                        throw new NotSupportedException($"The schema uses the keyword '{keyword.Name}', which {nameof(ManifestSchemaValidator)} does not implement.");
                    }

                    break;
            }
        }
    }

    private JsonElement Resolve(string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            throw new NotSupportedException($"Only references inside the schema are implemented, not '{reference}'.");
        }

        var target = _root;
        foreach (var segment in reference[2..].Split('/'))
        {
            target = target.GetProperty(segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
        }

        return target;
    }

    private static bool HasType(JsonElement instance, string type) => type switch
    {
        "object" => instance.ValueKind == JsonValueKind.Object,
        "array" => instance.ValueKind == JsonValueKind.Array,
        "string" => instance.ValueKind == JsonValueKind.String,
        "boolean" => instance.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => instance.ValueKind == JsonValueKind.Null,
        "number" => instance.ValueKind == JsonValueKind.Number,
        "integer" => instance.ValueKind == JsonValueKind.Number && instance.TryGetDecimal(out var number) && number == decimal.Truncate(number),
        _ => throw new NotSupportedException($"Unknown type '{type}'."),
    };
}
