// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Globalization;

namespace ZkAspire.Cli.Shell.Parsing;

/// <summary>
/// Parses a zkCli command's arguments as commons-cli 1.5's <c>DefaultParser</c> (which zkCli 3.8
/// uses) parses them, so every edge case reads the same: options may come after the path
/// (<c>ls / -s</c>), flags may be bundled (<c>-sw</c>), a value may be attached (<c>-t100</c>,
/// <c>-v=3</c>) or be the next token, even one that looks negative (<c>-v -1</c>), <c>--</c> ends
/// the options, and an unknown option fails with commons-cli's exception text.
/// </summary>
/// <remarks>
/// Only the short-option half of <c>DefaultParser</c> is ported: zkCli defines no long options, so
/// every long-option branch ends in "Unrecognized option", which this port reaches directly.
/// </remarks>
internal sealed class OptionParser
{
    private const string UnrecognizedOption = "org.apache.commons.cli.UnrecognizedOptionException: Unrecognized option: ";
    private const string MissingArgument = "org.apache.commons.cli.MissingArgumentException: Missing argument for option: ";

    private readonly OptionSet _options;
    private readonly ParsedCommand _result = new();
    private bool _skipParsing;

    // The option waiting for its value: its index in the result, or -1.
    private int _current = -1;
    private string _currentName = string.Empty;

    private OptionParser(OptionSet options)
    {
        _options = options;
    }

    /// <summary>Parses the tokens of a command (the command name included, as an argument).</summary>
    /// <param name="options">The command's options.</param>
    /// <param name="tokens">The tokens.</param>
    /// <returns>The options and arguments.</returns>
    /// <exception cref="CliException">An unknown option, or an option without its value.</exception>
    public static ParsedCommand Parse(OptionSet options, IReadOnlyList<string> tokens)
    {
        var parser = new OptionParser(options);
        foreach (var token in tokens)
        {
            parser.HandleToken(token);
        }

        parser.CheckRequiredArgs();
        return parser._result;
    }

    private void HandleToken(string token)
    {
        if (_skipParsing)
        {
            _result.AddArg(token);
        }
        else if (token == "--")
        {
            _skipParsing = true;
        }
        else if (_current >= 0 && IsArgument(token))
        {
            // A value given as the next token loses balanced double quotes (commons-cli 1.5's
            // stripLeadingAndTrailingQuotesDefaultOn).
            SetCurrentValue(StripQuotes(token));
        }
        else if (token.StartsWith("--", StringComparison.Ordinal))
        {
            // No long options exist: "--x" and "--x=y" are unknown (handleLongOption).
            HandleUnknownToken(token);
        }
        else if (token.StartsWith('-') && token != "-")
        {
            HandleShortOption(token);
        }
        else
        {
            HandleUnknownToken(token);
        }
    }

    /// <summary>commons-cli's <c>handleShortAndLongOption</c>, without the long-option branches.</summary>
    private void HandleShortOption(string token)
    {
        var t = OptionSet.StripLeadingHyphens(token);
        var equals = t.IndexOf('=', StringComparison.Ordinal);
        if (t.Length == 1)
        {
            // -S
            if (_options.Get(t) is { } option)
            {
                HandleOption(option);
            }
            else
            {
                HandleUnknownToken(token);
            }
        }
        else if (equals < 0)
        {
            // -S1S2S3, -S1S2V or -SV
            if (_options.Get(t) is { } option)
            {
                HandleOption(option);
            }
            else
            {
                HandleConcatenatedOptions(token);
            }
        }
        else
        {
            // -S=V
            var name = t[..equals];
            if (name.Length == 1 && _options.Get(name) is { HasArgument: true } option)
            {
                HandleOption(option);
                SetCurrentValue(t[(equals + 1)..]);
            }
            else
            {
                HandleUnknownToken(token);
            }
        }
    }

    private void HandleConcatenatedOptions(string token)
    {
        for (var i = 1; i < token.Length; i++)
        {
            if (_options.Get(token[i].ToString()) is not { } option)
            {
                HandleUnknownToken(token);
                return;
            }

            HandleOption(option);
            if (_current >= 0 && token.Length != i + 1)
            {
                // The rest of the token is the option's value: -t100.
                SetCurrentValue(token[(i + 1)..]);
                return;
            }
        }
    }

    private void HandleOption(OptionSpec option)
    {
        // The previous option must have its value before the next one starts.
        CheckRequiredArgs();
        var index = _result.AddOption(option.Name);
        if (option.HasArgument)
        {
            _current = index;
            _currentName = option.Name;
        }
        else
        {
            _current = -1;
        }
    }

    private void SetCurrentValue(string value)
    {
        _result.SetValue(_current, value);
        _current = -1;
    }

    private void CheckRequiredArgs()
    {
        if (_current >= 0)
        {
            throw new CliException(MissingArgument + _currentName);
        }
    }

    private void HandleUnknownToken(string token)
    {
        if (token.StartsWith('-') && token.Length > 1)
        {
            throw new CliException(UnrecognizedOption + token);
        }

        _result.AddArg(token);
    }

    /// <summary>A token is an option's value unless it looks like an option itself (<c>isArgument</c>).</summary>
    private bool IsArgument(string token) => !IsShortOption(token) || IsNumber(token);

    private bool IsShortOption(string token)
    {
        if (!token.StartsWith('-') || token.Length == 1)
        {
            return false;
        }

        var equals = token.IndexOf('=', StringComparison.Ordinal);
        var name = equals < 0 ? token[1..] : token[1..equals];
        return _options.Has(name) || (name.Length > 0 && _options.Has(name[0].ToString()));
    }

    /// <summary>
    /// commons-cli lets a value that parses as a double through even when it looks like an option
    /// (<c>Double.parseDouble</c>); no zkCli option letter can start a number, so this only keeps
    /// the port faithful.
    /// </summary>
    private static bool IsNumber(string token) =>
        double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out _);

    private static string StripQuotes(string token) =>
        token.Length > 1 && token[0] == '"' && token[^1] == '"' && token.IndexOf('"', 1, token.Length - 2) < 0
            ? token[1..^1]
            : token;
}
