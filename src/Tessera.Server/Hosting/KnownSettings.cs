using System.Reflection;

namespace Tessera.Server.Hosting;

/// <summary>
/// The keys Tessera reads under <c>Tessera:</c>, found by walking the options classes that section binds to
/// (<see cref="TesseraOptions"/> and every class it holds), so a property added to them is a known key the day it is
/// added. The binder ignores a key that names no property without a word, so a misspelling (<c>Tessera:Projects:0:Kyes</c>)
/// would leave a server running without the keys its operator meant it to have: such a key stops it instead, and a
/// settings file reloaded with one is refused.
/// </summary>
internal static class KnownSettings
{
    private const string Guide = "docs/configuration.md";

    /// <summary>One line for each key under <paramref name="section"/> that no option names; none when all are known.</summary>
    public static IReadOnlyList<string> FindUnknown(IConfigurationSection section)
    {
        var unknown = new List<string>();
        Walk(section, typeof(TesseraOptions), unknown);
        return unknown;
    }

    /// <summary>Whether <paramref name="path"/> (<c>Tessera:Projects:0:Keys:0</c>, any case) is a key Tessera reads.</summary>
    public static bool IsKnown(string path)
    {
        var segments = path.Split(':');
        if (!string.Equals(segments[0], TesseraOptions.SectionName, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var type = typeof(TesseraOptions);
        foreach (var segment in segments.Skip(1))
        {
            if (ElementType(type) is { } element)
            {
                type = element;
            }
            else if (!IsValue(type) && FindProperty(type, segment) is { } property)
            {
                type = property.PropertyType;
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The top-level section one edit away from <c>Tessera</c> (<c>Tesera</c>, <c>Tessear</c>), whose settings are
    /// all ignored; null when there is none. A difference of case alone is the same section.
    /// </summary>
    public static string? MisspelledSection(IConfiguration configuration) =>
        configuration.GetChildren().Select(section => section.Key).FirstOrDefault(key =>
            !string.Equals(key, TesseraOptions.SectionName, StringComparison.OrdinalIgnoreCase)
            && EditDistance(key, TesseraOptions.SectionName) == 1);

    private static void Walk(IConfigurationSection section, Type type, List<string> unknown)
    {
        foreach (var child in section.GetChildren())
        {
            if (ElementType(type) is { } element)
            {
                // A list's or a dictionary's children are its elements, whatever their keys.
                Walk(child, element, unknown);
            }
            else if (IsValue(type))
            {
                unknown.Add($"{child.Path} is not a setting Tessera knows: {section.Path} takes a single value, not settings under it. See {Guide}.");
            }
            else if (FindProperty(type, child.Key) is { } property)
            {
                Walk(child, property.PropertyType, unknown);
            }
            else
            {
                unknown.Add(Unknown(section, child, type));
            }
        }
    }

    private static string Unknown(IConfigurationSection section, IConfigurationSection child, Type type)
    {
        var names = Bindable(type).Select(property => property.Name).ToList();
        var nearest = names.MinBy(name => EditDistance(name, child.Key));
        // Close enough to be a slip of the keyboard; otherwise a guess would mislead more than a list helps.
        if (nearest is not null && EditDistance(nearest, child.Key) <= Math.Max(2, nearest.Length / 3))
        {
            return $"{child.Path} is not a setting Tessera knows; did you mean {section.Path}:{nearest}? See {Guide}.";
        }

        return $"{child.Path} is not a setting Tessera knows; the settings under {section.Path} are {string.Join(", ", names)}. See {Guide}.";
    }

    private static PropertyInfo? FindProperty(Type type, string key) =>
        Bindable(type).FirstOrDefault(property => string.Equals(property.Name, key, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The properties the configuration binder sets: public, not indexers, and either settable or an object it fills
    /// in place. A computed value (<see cref="TesseraOptions.IsOpenMode"/>) is not a setting.
    /// </summary>
    private static IEnumerable<PropertyInfo> Bindable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(property =>
            property.GetMethod is { IsPublic: true }
            && property.GetIndexParameters().Length == 0
            && (property.SetMethod is { IsPublic: true } || !IsValue(property.PropertyType)));

    /// <summary>A type bound from one string, which has no settings under it.</summary>
    private static bool IsValue(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying.IsPrimitive || underlying.IsEnum
            || underlying == typeof(string) || underlying == typeof(decimal) || underlying == typeof(Uri)
            || underlying == typeof(TimeSpan) || underlying == typeof(DateTime) || underlying == typeof(DateTimeOffset)
            || underlying == typeof(Guid);
    }

    /// <summary>The element type of an array, list or set, or the value type of a dictionary; null for anything else.</summary>
    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (IsValue(type))
        {
            return null;
        }

        var interfaces = type.IsInterface ? type.GetInterfaces().Append(type) : type.GetInterfaces();
        var generic = interfaces.Where(candidate => candidate.IsGenericType).ToList();
        return generic.FirstOrDefault(candidate => candidate.GetGenericTypeDefinition() == typeof(IDictionary<,>))?.GetGenericArguments()[1]
            ?? generic.FirstOrDefault(candidate => candidate.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
    }

    /// <summary>Edits (insert, delete, replace, swap two neighbours) from one name to the other, ignoring case.</summary>
    private static int EditDistance(string a, string b)
    {
        a = a.ToUpperInvariant();
        b = b.ToUpperInvariant();
        var width = b.Length + 1;
        var d = new int[(a.Length + 1) * width];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i * width] = i;
        }

        for (var j = 0; j <= b.Length; j++)
        {
            d[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var best = Math.Min(Math.Min(d[((i - 1) * width) + j] + 1, d[(i * width) + j - 1] + 1), d[((i - 1) * width) + j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    best = Math.Min(best, d[((i - 2) * width) + j - 2] + 1);
                }

                d[(i * width) + j] = best;
            }
        }

        return d[d.Length - 1];
    }
}
