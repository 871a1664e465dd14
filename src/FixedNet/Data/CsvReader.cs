using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace FixedNet.Data;

/// <summary>
/// Reads numeric CSV files (plain or .gz, comma-separated, optional header). Errors name the file, line and column.
/// </summary>
public static class CsvReader
{
    /// <summary>
    /// The most bytes of text the readers accept by default (1 GiB), plain or after inflating a .gz: a bound on the
    /// memory a file can take, so that a small compressed file cannot inflate without limit. Pass a larger
    /// <c>maxBytes</c> for larger files.
    /// </summary>
    public const long DefaultMaxBytes = 1L << 30;

    /// <summary>All rows as numbers; every row must have the same number of fields.</summary>
    public static float[][] ReadRows(string path, bool hasHeader = false, long maxBytes = DefaultMaxBytes)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        string name = Path.GetFileName(path);
        string text = Encoding.UTF8.GetString(DataFile.ReadAllBytes(path, maxBytes));
        var rows = new List<float[]>();
        int expected = -1;
        int lineNumber = 0;
        using var reader = new StringReader(text);
        for (string? line = reader.ReadLine(); line is not null; line = reader.ReadLine())
        {
            lineNumber++;
            if (hasHeader && lineNumber == 1) continue;
            if (line.Length == 0) continue;
            var fields = line.Split(',');
            if (expected < 0) expected = fields.Length;
            else if (fields.Length != expected)
                throw new InvalidDataException($"{name}: line {lineNumber} has {fields.Length} fields; expected {expected} like the rows before it.");
            var row = new float[fields.Length];
            for (int c = 0; c < fields.Length; c++)
            {
                if (!float.TryParse(fields[c].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out row[c]))
                    throw new InvalidDataException($"{name}: line {lineNumber}, column {c + 1}: expected a number, found '{fields[c]}'.");
                if (!float.IsFinite(row[c])) // NaN, Infinity, and numbers past float's range such as 1e39, which parse as ∞
                    throw new InvalidDataException($"{name}: line {lineNumber}, column {c + 1}: expected a finite number, found '{fields[c]}'.");
            }
            rows.Add(row);
        }
        if (rows.Count == 0) throw new InvalidDataException($"{name}: expected at least one row of numbers, found none.");
        return rows.ToArray();
    }

    /// <summary>
    /// A classification data set: each row holds features and an integer class label in column
    /// <paramref name="labelColumn"/> (negative counts from the end; −1 is the last). Features are multiplied by
    /// <paramref name="scale"/>; labels become one-hot targets over <paramref name="classes"/> classes.
    /// </summary>
    public static Dataset ReadClassification(string path, int classes, int labelColumn = -1, float scale = 1f, bool hasHeader = false, long maxBytes = DefaultMaxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        var rows = ReadRows(path, hasHeader, maxBytes);
        string name = Path.GetFileName(path);
        int width = rows[0].Length;
        if (width < 2) throw new InvalidDataException($"{name}: expected at least one feature and a label per row, found {width} field.");
        int label = labelColumn < 0 ? width + labelColumn : labelColumn;
        if (label < 0 || label >= width) throw new ArgumentOutOfRangeException(nameof(labelColumn), labelColumn, $"The rows have {width} fields.");
        var inputs = new float[rows.Length * (width - 1)];
        var labels = new int[rows.Length];
        for (int r = 0; r < rows.Length; r++)
        {
            float value = rows[r][label];
            if (value != MathF.Floor(value) || value < 0 || value >= classes)
                throw new InvalidDataException($"{name}: row {r + 1}, column {label + 1}: expected a class label in 0..{classes - 1}, found {value.ToString(CultureInfo.InvariantCulture)}.");
            labels[r] = (int)value;
            int k = r * (width - 1);
            for (int c = 0; c < width; c++)
            {
                if (c != label) inputs[k++] = rows[r][c] * scale;
            }
        }
        return new Dataset(inputs, OneHot.Encode(labels, classes), width - 1, classes);
    }
}
