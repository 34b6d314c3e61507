// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

namespace ZkAspire.Cli.Shell.Parsing;

/// <summary>
/// A parsed command line (commons-cli <c>CommandLine</c>): the options found, each with its value,
/// and the other arguments in order — the command name first, as zkCli passes it.
/// </summary>
internal sealed class ParsedCommand
{
    private readonly List<(string Name, string? Value)> _options = [];
    private readonly List<string> _args = [];

    /// <summary>Gets the arguments that are not options; <c>Args[0]</c> is the command.</summary>
    public IReadOnlyList<string> Args => _args;

    /// <summary>Whether the option was given.</summary>
    public bool Has(string name) => _options.Exists(o => o.Name == name);

    /// <summary>The value of the option's first occurrence (<c>getOptionValue</c>), or <see langword="null"/>.</summary>
    public string? Value(string name)
    {
        foreach (var (optionName, value) in _options)
        {
            if (optionName == name && value is not null)
            {
                return value;
            }
        }

        return null;
    }

    internal int AddOption(string name)
    {
        _options.Add((name, null));
        return _options.Count - 1;
    }

    internal void SetValue(int index, string value) => _options[index] = (_options[index].Name, value);

    internal void AddArg(string arg) => _args.Add(arg);
}
