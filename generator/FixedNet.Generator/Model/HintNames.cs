using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace FixedNet.Generator.Model;

/// <summary>
/// The names each network's generated file needs to be unique in the compilation.
/// <para>
/// The hint name (generated file name), <c>Namespace.Outer.Type.g.cs</c>. Hint names must differ ignoring case (Roslyn's
/// rule, and that of case-insensitive file systems), but type names need not: of the networks whose names differ only in
/// case, the first in ordinal order keeps the plain name and the others get <c>.2</c>, <c>.3</c>… before <c>.g.cs</c> (no
/// type or namespace name is a number, so these cannot collide with another network).
/// </para>
/// <para>
/// The core type, in the namespace <c>FixedNet.Generated</c>: the network's simple name and <c>Core</c>. Of the networks
/// whose simple names are equal (in different namespaces or types), the first in ordinal order of the full name keeps
/// that and the others get <c>Core2</c>, <c>Core3</c>… Every core name ends in <c>Core</c> or <c>Core</c> and a number, and
/// the map is one to one, so no two cores collide, nor does one with a type name the cores use.
/// </para>
/// </summary>
internal sealed record HintNames(EquatableArray<string> Names, EquatableArray<string> Hints, EquatableArray<string> Cores)
{
    public static HintNames Assign(ImmutableArray<string> fullNames)
    {
        var names = fullNames.Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToList();
        var taken = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var simpleTaken = new Dictionary<string, int>(StringComparer.Ordinal);
        var hints = new List<string>();
        var cores = new List<string>();
        foreach (var name in names)
        {
            taken[name] = taken.TryGetValue(name, out int count) ? count + 1 : 1;
            hints.Add(taken[name] == 1 ? name + ".g.cs" : name + "." + taken[name].ToString(System.Globalization.CultureInfo.InvariantCulture) + ".g.cs");
            string simple = SimpleName(name);
            simpleTaken[simple] = simpleTaken.TryGetValue(simple, out int same) ? same + 1 : 1;
            cores.Add(CoreName(simple, simpleTaken[simple]));
        }
        return new HintNames(names.ToEquatableArray(), hints.ToEquatableArray(), cores.ToEquatableArray());
    }

    public string Of(string fullName)
    {
        int i = IndexOf(fullName);
        return i >= 0 ? Hints[i] : fullName + ".g.cs";
    }

    /// <summary>The network's core type in <c>FixedNet.Generated</c>, unique among the compilation's networks.</summary>
    public string CoreOf(string fullName)
    {
        int i = IndexOf(fullName);
        return i >= 0 ? Cores[i] : CoreName(SimpleName(fullName), 1);
    }

    /// <summary>The core type's name of the <paramref name="index"/>-th network (from 1) with this simple name.</summary>
    public static string CoreName(string simpleName, int index) =>
        simpleName + "Core" + (index == 1 ? string.Empty : index.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static string SimpleName(string fullName) => fullName.Substring(fullName.LastIndexOf('.') + 1);

    private int IndexOf(string fullName)
    {
        for (int i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], fullName, StringComparison.Ordinal)) return i;
        }
        return -1;
    }
}
