using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;

namespace FixedNet.Generator.Model;

/// <summary>
/// The hint name (generated file name) of every network: <c>Namespace.Outer.Type.g.cs</c>. Hint names must differ
/// ignoring case (Roslyn's rule, and that of case-insensitive file systems), but type names need not: of the networks
/// whose names differ only in case, the first in ordinal order keeps the plain name and the others get <c>.2</c>,
/// <c>.3</c>… before <c>.g.cs</c> (no type or namespace name is a number, so these cannot collide with another network).
/// </summary>
internal sealed record HintNames(EquatableArray<string> Names, EquatableArray<string> Hints)
{
    public static HintNames Assign(ImmutableArray<string> fullNames)
    {
        var names = fullNames.Distinct(StringComparer.Ordinal).OrderBy(n => n, StringComparer.Ordinal).ToList();
        var taken = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var hints = new List<string>();
        foreach (var name in names)
        {
            taken[name] = taken.TryGetValue(name, out int count) ? count + 1 : 1;
            hints.Add(taken[name] == 1 ? name + ".g.cs" : name + "." + taken[name].ToString(System.Globalization.CultureInfo.InvariantCulture) + ".g.cs");
        }
        return new HintNames(names.ToEquatableArray(), hints.ToEquatableArray());
    }

    public string Of(string fullName)
    {
        for (int i = 0; i < Names.Count; i++)
        {
            if (string.Equals(Names[i], fullName, StringComparison.Ordinal)) return Hints[i];
        }
        return fullName + ".g.cs";
    }
}
