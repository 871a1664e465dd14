namespace FixedNet.Generator.Model;

/// <summary>A type that encloses the network class: its declaration keyword (<c>class</c>, <c>struct</c>, <c>record</c>…) and name.</summary>
internal readonly record struct ContainingTypeModel(string Keyword, string Name);
