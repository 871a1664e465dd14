using System;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace FixedNet.Generator;

/// <summary>
/// Writes indented C# line by line; <see cref="Block"/> opens a brace and closes it when disposed. A <c>for</c> loop
/// whose bounds and step are constants is written only where it loops: one with no iteration is dropped with its body,
/// and one with a single iteration becomes a plain block that declares its variable (unless its body uses
/// <c>continue</c> or <c>break</c>), so the generated code holds no empty and no one-iteration loops.
/// </summary>
internal sealed class SourceWriter
{
    private const string IndentUnit = "    ";
    private static readonly Regex ConstantLoop = new(@"^for \((int|nuint) (\w+) = (\d+); \2 < (\d+); \2(?:\+\+| \+= (\d+))\)$", RegexOptions.CultureInvariant);
    private static readonly Regex LoopExit = new(@"\b(continue|break);", RegexOptions.CultureInvariant);
    private readonly StringBuilder _builder = new();
    private int _indent;

    public void Line(string text = "")
    {
        if (text.Length > 0)
        {
            for (int i = 0; i < _indent; i++) _builder.Append(IndentUnit);
            _builder.Append(text);
        }
        _builder.Append('\n');
    }

    /// <summary><c>header statement</c> on one line, for a loop whose body is one statement, with the rule of <see cref="Block"/> for constant bounds.</summary>
    public void LoopLine(string header, string statement)
    {
        var loop = ConstantLoop.Match(header);
        if (!loop.Success || Iterations(loop) == 2)
        {
            Line(header + " " + statement);
            return;
        }
        if (Iterations(loop) == 1) Line("{ " + loop.Groups[1].Value + " " + loop.Groups[2].Value + " = " + loop.Groups[3].Value + "; " + statement + " } // the loop's only iteration");
    }

    public BlockScope Block(string header)
    {
        int start = _builder.Length;
        Line(header);
        int bodyStart = _builder.Length;
        Line("{");
        _indent++;
        var loop = ConstantLoop.Match(header);
        if (!loop.Success) return new BlockScope(this, null);
        int iterations = Iterations(loop);
        return new BlockScope(this, iterations == 2 ? null : new ConstantLoopInfo(start, bodyStart, iterations, loop.Groups[1].Value, loop.Groups[2].Value, loop.Groups[3].Value));
    }

    // 0, 1, or 2 for two or more iterations of a loop matched by ConstantLoop
    private static int Iterations(Match loop)
    {
        long from = long.Parse(loop.Groups[3].Value, CultureInfo.InvariantCulture);
        long to = long.Parse(loop.Groups[4].Value, CultureInfo.InvariantCulture);
        long step = loop.Groups[5].Success ? long.Parse(loop.Groups[5].Value, CultureInfo.InvariantCulture) : 1;
        return from >= to ? 0 : from + step >= to ? 1 : 2;
    }

    public void Indent() => _indent++;

    public void Unindent() => _indent--;

    public override string ToString() => _builder.ToString();

    // Rewrites a loop of constant bounds with 0 or 1 iteration once its body is written.
    private void Close(ConstantLoopInfo loop)
    {
        if (loop.Iterations == 0)
        {
            _builder.Remove(loop.Start, _builder.Length - loop.Start);
            return;
        }
        string body = _builder.ToString(loop.BodyStart, _builder.Length - loop.BodyStart);
        if (LoopExit.IsMatch(body)) return;
        // "for (…)\n{\n" → "{\n" and, where the body reads the variable, "    int j = 12; // the loop's only iteration\n"
        string indent = _builder.ToString(loop.BodyStart, body.IndexOf('{'));
        _builder.Remove(loop.Start, loop.BodyStart - loop.Start);
        if (Regex.IsMatch(Regex.Replace(body, "//[^\n]*", string.Empty), @"\b" + loop.Variable + @"\b"))
            _builder.Insert(loop.Start + indent.Length + 2, indent + IndentUnit + loop.Type + " " + loop.Variable + " = " + loop.From + "; // the loop's only iteration\n");
    }

    internal sealed record ConstantLoopInfo(int Start, int BodyStart, int Iterations, string Type, string Variable, string From);

    internal readonly struct BlockScope : IDisposable
    {
        private readonly SourceWriter _writer;
        private readonly ConstantLoopInfo? _loop;

        public BlockScope(SourceWriter writer, ConstantLoopInfo? loop)
        {
            _writer = writer;
            _loop = loop;
        }

        public void Dispose()
        {
            _writer._indent--;
            _writer.Line("}");
            if (_loop is not null) _writer.Close(_loop);
        }
    }
}
