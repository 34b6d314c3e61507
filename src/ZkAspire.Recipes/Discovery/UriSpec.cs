// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;
using System.Text;

namespace ZkAspire.Recipes.Discovery;

/// <summary>
/// A URI template of an instance (Curator's <c>UriSpec</c>): text and <c>{variables}</c>, such as
/// <c>{scheme}://{address}:{port}/api</c>. Known variables: scheme (https when the instance has an
/// SSL port, else http), name, id, address, port, ssl-port, registration-time-utc, service-type,
/// and <c>[</c> and <c>]</c> for literal braces.
/// </summary>
public sealed class UriSpec : IEquatable<UriSpec>
{
    /// <summary>Parses a template.</summary>
    /// <param name="spec">The template.</param>
    /// <exception cref="FormatException">A brace is not matched.</exception>
    public UriSpec(string spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        var parts = new List<UriSpecPart>();
        var inside = false;
        var token = new StringBuilder();
        foreach (var c in spec)
        {
            if (c is '{' or '}')
            {
                if ((c == '{') == inside)
                {
                    throw new FormatException(c == '{' ? "{ is not allowed inside a variable." : "} must follow {.");
                }

                if (token.Length > 0)
                {
                    parts.Add(new UriSpecPart(inside ? token.ToString().Trim() : token.ToString(), inside));
                    token.Clear();
                }

                inside = c == '{';
                continue;
            }

            token.Append(c);
        }

        if (inside)
        {
            throw new FormatException("The last variable is not closed: } expected.");
        }

        if (token.Length > 0)
        {
            parts.Add(new UriSpecPart(token.ToString(), false));
        }

        Parts = parts;
    }

    /// <summary>Creates a template from its parts (as stored in the JSON).</summary>
    /// <param name="parts">The parts.</param>
    public UriSpec(IEnumerable<UriSpecPart> parts)
    {
        ArgumentNullException.ThrowIfNull(parts);
        Parts = [.. parts];
    }

    /// <summary>Gets the parts.</summary>
    public IReadOnlyList<UriSpecPart> Parts { get; }

    /// <summary>Fills the template for an instance.</summary>
    /// <typeparam name="TPayload">The payload type.</typeparam>
    /// <param name="instance">The instance, or <see langword="null"/>.</param>
    /// <param name="variables">More variables, which win over the instance's.</param>
    /// <returns>The URI text; unknown variables are left out, as in Curator.</returns>
    public string Build<TPayload>(ServiceInstance<TPayload>? instance, IReadOnlyDictionary<string, object?>? variables = null)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["["] = "{",
            ["]"] = "}",
            ["scheme"] = "http",
        };
        if (instance is not null)
        {
            values["name"] = instance.Name;
            values["id"] = instance.Id;
            values["address"] = instance.Address ?? string.Empty;
            values["port"] = instance.Port?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
            values["ssl-port"] = instance.SslPort?.ToString(CultureInfo.InvariantCulture) ?? string.Empty;
            values["registration-time-utc"] = instance.RegistrationTimeUtc.ToString(CultureInfo.InvariantCulture);
            values["service-type"] = instance.ServiceType.ToJavaName().ToLowerInvariant();
            if (instance.SslPort is not null)
            {
                values["scheme"] = "https";
            }
        }

        foreach (var (key, value) in variables ?? new Dictionary<string, object?>())
        {
            values[key] = value;
        }

        var text = new StringBuilder();
        foreach (var part in Parts)
        {
            if (!part.IsVariable)
            {
                text.Append(part.Value);
            }
            else if (values.TryGetValue(part.Value, out var value) && value is not null)
            {
                text.Append(Convert.ToString(value, CultureInfo.InvariantCulture));
            }
        }

        return text.ToString();
    }

    /// <inheritdoc/>
    public bool Equals(UriSpec? other) => other is not null && Parts.SequenceEqual(other.Parts);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as UriSpec);

    /// <inheritdoc/>
    public override int GetHashCode() => Parts.Aggregate(0, (hash, part) => HashCode.Combine(hash, part));

    /// <inheritdoc/>
    public override string ToString() => string.Concat(Parts.Select(p => p.IsVariable ? "{" + p.Value + "}" : p.Value));
}

/// <summary>A part of a <see cref="UriSpec"/>: text, or a variable's name.</summary>
/// <param name="Value">The text or the name.</param>
/// <param name="IsVariable">Whether it is a variable.</param>
public sealed record UriSpecPart(string Value, bool IsVariable);
