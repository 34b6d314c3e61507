// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text.Json;

namespace ZkAspire.Recipes.Discovery;

/// <summary>
/// Curator's JSON of an instance (<c>JsonInstanceSerializer</c>, as Jackson writes it):
/// <c>{"name":…,"id":…,"address":…,"port":…,"sslPort":…,"payload":…,"registrationTimeUTC":…,"serviceType":"DYNAMIC","uriSpec":{"parts":[{"value":…,"variable":…}]}}</c>.
/// </summary>
/// <remarks>
/// <para>
/// Curator types the payload with Jackson's class-name type info: an object payload carries the
/// Java class as its first property, <c>"@class":"com.example.Details"</c>; an array payload is
/// written <c>["java.util.ArrayList",[…]]</c>; strings, numbers and booleans are written as they
/// are. A Java reader needs a class it knows: set <see cref="JavaPayloadClass"/> to the payload
/// class of the Java services (the default, <c>java.util.LinkedHashMap</c>, suits readers whose
/// payload type is <c>Map</c> or <c>Object</c>). Reading, the type info is dropped and the rest
/// becomes <typeparamref name="TPayload"/> with System.Text.Json.
/// </para>
/// <para>
/// Like Curator's default ("compatible" mode, for Curator 2 readers), <c>enabled</c> is not written
/// for enabled instances unless <see cref="WriteEnabled"/> is set, so they are byte for byte what
/// Curator writes; a disabled instance carries <c>"enabled":false</c> (Curator's compatible mode
/// would lose it; Curator 4 and later read it). It is read when present and true otherwise.
/// Unknown properties are ignored.
/// </para>
/// </remarks>
/// <typeparam name="TPayload">The payload type.</typeparam>
public sealed class JsonInstanceSerializer<TPayload> : IInstanceSerializer<TPayload>
{
    private const string ClassProperty = "@class";

    /// <summary>Gets or sets the Java class named in the type info of object payloads.</summary>
    /// <value>The default value is <c>java.util.LinkedHashMap</c>.</value>
    public string JavaPayloadClass { get; init; } = "java.util.LinkedHashMap";

    /// <summary>Gets or sets the Java class named in the type info of array payloads.</summary>
    /// <value>The default value is <c>java.util.ArrayList</c>.</value>
    public string JavaArrayClass { get; init; } = "java.util.ArrayList";

    /// <summary>Gets or sets whether the <c>enabled</c> field is written for enabled instances too (Curator's non-compatible mode).</summary>
    /// <value>The default value is <see langword="false"/>, as Curator's default.</value>
    public bool WriteEnabled { get; init; }

    /// <summary>Gets or sets how payloads are (de)serialized.</summary>
    /// <value>The default value uses camelCase property names, as Jackson's bean conventions do.</value>
    public JsonSerializerOptions PayloadOptions { get; init; } = new(JsonSerializerDefaults.Web);

    /// <inheritdoc/>
    public byte[] Serialize(ServiceInstance<TPayload> instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("name", instance.Name);
            json.WriteString("id", instance.Id);
            WriteStringOrNull(json, "address", instance.Address);
            WriteNumberOrNull(json, "port", instance.Port);
            WriteNumberOrNull(json, "sslPort", instance.SslPort);
            json.WritePropertyName("payload");
            WritePayload(json, instance.Payload);
            json.WriteNumber("registrationTimeUTC", instance.RegistrationTimeUtc);
            json.WriteString("serviceType", instance.ServiceType.ToJavaName());
            json.WritePropertyName("uriSpec");
            if (instance.UriSpec is null)
            {
                json.WriteNullValue();
            }
            else
            {
                json.WriteStartObject();
                json.WriteStartArray("parts");
                foreach (var part in instance.UriSpec.Parts)
                {
                    json.WriteStartObject();
                    json.WriteString("value", part.Value);
                    json.WriteBoolean("variable", part.IsVariable);
                    json.WriteEndObject();
                }

                json.WriteEndArray();
                json.WriteEndObject();
            }

            if (WriteEnabled || !instance.Enabled)
            {
                json.WriteBoolean("enabled", instance.Enabled);
            }

            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <inheritdoc/>
    public ServiceInstance<TPayload> Deserialize(byte[] data)
    {
        ArgumentNullException.ThrowIfNull(data);
        try
        {
            using var document = JsonDocument.Parse(data);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new FormatException("A service instance is a JSON object.");
            }

            var name = root.TryGetProperty("name", out var n) ? n.GetString() : null;
            var id = root.TryGetProperty("id", out var i) ? i.GetString() : null;
            if (name is null || id is null)
            {
                throw new FormatException("A service instance needs a name and an id.");
            }

            return new ServiceInstance<TPayload>(name, id)
            {
                Address = String(root, "address"),
                Port = Int(root, "port"),
                SslPort = Int(root, "sslPort"),
                Payload = root.TryGetProperty("payload", out var payload) ? ReadPayload(payload) : default,
                RegistrationTimeUtc = root.TryGetProperty("registrationTimeUTC", out var time) && time.ValueKind == JsonValueKind.Number ? time.GetInt64() : 0,
                ServiceType = ServiceTypeNames.FromJavaName(String(root, "serviceType")),
                UriSpec = root.TryGetProperty("uriSpec", out var uri) && uri.ValueKind == JsonValueKind.Object && uri.TryGetProperty("parts", out var parts)
                    ? new UriSpec(parts.EnumerateArray().Select(p => new UriSpecPart(String(p, "value") ?? string.Empty, p.TryGetProperty("variable", out var v) && v.GetBoolean())))
                    : null,
                Enabled = !root.TryGetProperty("enabled", out var enabled) || enabled.ValueKind != JsonValueKind.False,
            };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or NotSupportedException)
        {
            throw new FormatException("The data is not a service instance: " + e.Message, e);
        }
    }

    private static string? String(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static int? Int(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetInt32() : null;

    private static void WriteStringOrNull(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private static void WriteNumberOrNull(Utf8JsonWriter json, string name, int? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteNumber(name, value.Value);
        }
    }

    private void WritePayload(Utf8JsonWriter json, TPayload? payload)
    {
        var element = JsonSerializer.SerializeToElement(payload, PayloadOptions);
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                json.WriteStartObject();
                json.WriteString(ClassProperty, JavaPayloadClass);
                foreach (var property in element.EnumerateObject().Where(p => p.Name != ClassProperty))
                {
                    property.WriteTo(json);
                }

                json.WriteEndObject();
                break;
            case JsonValueKind.Array:
                json.WriteStartArray();
                json.WriteStringValue(JavaArrayClass);
                element.WriteTo(json);
                json.WriteEndArray();
                break;
            default:
                element.WriteTo(json);
                break;
        }
    }

    private TPayload? ReadPayload(JsonElement payload)
    {
        switch (payload.ValueKind)
        {
            case JsonValueKind.Null or JsonValueKind.Undefined:
                return default;
            case JsonValueKind.Object when payload.TryGetProperty(ClassProperty, out _):
                using (var buffer = new MemoryStream())
                {
                    using (var json = new Utf8JsonWriter(buffer))
                    {
                        json.WriteStartObject();
                        foreach (var property in payload.EnumerateObject().Where(p => p.Name != ClassProperty))
                        {
                            property.WriteTo(json);
                        }

                        json.WriteEndObject();
                    }

                    return JsonSerializer.Deserialize<TPayload>(buffer.ToArray(), PayloadOptions);
                }

            case JsonValueKind.Array when payload.GetArrayLength() == 2 && payload[0].ValueKind == JsonValueKind.String && payload[1].ValueKind == JsonValueKind.Array:
                return payload[1].Deserialize<TPayload>(PayloadOptions);
            default:
                return payload.Deserialize<TPayload>(PayloadOptions);
        }
    }
}
