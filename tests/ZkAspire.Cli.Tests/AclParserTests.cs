// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using ZkAspire.Cli.Shell;
using ZkAspire.Protocol;

namespace ZkAspire.Cli.Tests;

/// <summary>zkCli's AclParser: lenient, reporting what it skips on stderr.</summary>
public sealed class AclParserTests
{
    [Fact]
    public void ParsesEntriesAndKeepsColonsInTheId()
    {
        var (acl, errors) = Parse("world:anyone:cdrwa,digest:bob:abc=:r,ip:10.0.0.0/8:rw");
        Assert.Equal(
            [
                new ACL(Perms.All, new Id("world", "anyone")),
                new ACL(Perms.Read, new Id("digest", "bob:abc=")),
                new ACL(Perms.Read | Perms.Write, new Id("ip", "10.0.0.0/8")),
            ],
            acl);
        Assert.Empty(errors);
    }

    [Fact]
    public void ReportsAndSkipsAnEntryWithoutTwoColons()
    {
        var (acl, errors) = Parse("world:anyone,auth::cdrwa");
        Assert.Equal([new ACL(Perms.All, new Id("auth", string.Empty))], acl);
        Assert.Equal("world:anyone does not have the form scheme:id:perm\n", errors);
    }

    [Fact]
    public void ReportsAndIgnoresAnUnknownPermission()
    {
        var (acl, errors) = Parse("world:anyone:rq");
        Assert.Equal([new ACL(Perms.Read, new Id("world", "anyone"))], acl);
        Assert.Equal("Unknown perm type: q\n", errors);
    }

    [Theory]
    [InlineData("", " does not have the form scheme:id:perm\n")]
    [InlineData(",", "")]
    [InlineData("a,,", "a does not have the form scheme:id:perm\n")]
    public void SplitsAsJavaStringSplit(string text, string expectedErrors)
    {
        var (acl, errors) = Parse(text);
        Assert.Empty(acl);
        Assert.Equal(expectedErrors, errors);
    }

    private static (List<ACL> Acl, string Errors) Parse(string text)
    {
        var err = new StringWriter();
        var acl = AclParser.Parse(text, new ShellOutput(TextWriter.Null, err));
        return (acl, err.ToString());
    }
}
