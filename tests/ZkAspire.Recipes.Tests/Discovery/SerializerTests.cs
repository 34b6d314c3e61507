// Licensed to the ZkAspire contributors under the Apache License, Version 2.0.

using System.Text;
using System.Text.Json;
using ZkAspire.Recipes.Discovery;

namespace ZkAspire.Recipes.Tests.Discovery;

/// <summary>Curator's JSON of service instances, byte for byte as Curator 5.4 (Jackson 2.14) writes it.</summary>
public sealed class SerializerTests
{
    // Written by Curator 5.4's JsonInstanceSerializer (compatible mode, its default) for the same instance.
    private const string CuratorJson =
        """{"name":"svc","id":"id1","address":"10.0.0.1","port":8080,"sslPort":null,"payload":{"@class":"java.util.LinkedHashMap","k":"v"},"registrationTimeUTC":1234,"serviceType":"DYNAMIC","uriSpec":{"parts":[{"value":"scheme","variable":true},{"value":"://","variable":false},{"value":"address","variable":true},{"value":":","variable":false},{"value":"port","variable":true}]}}""";

    [Fact]
    public void AnInstanceIsWrittenAsCuratorWritesIt()
    {
        var instance = new ServiceInstance<Dictionary<string, string>>("svc", "id1")
        {
            Address = "10.0.0.1",
            Port = 8080,
            Payload = new() { ["k"] = "v" },
            RegistrationTimeUtc = 1234,
            UriSpec = new UriSpec("{scheme}://{address}:{port}"),
        };
        var serializer = new JsonInstanceSerializer<Dictionary<string, string>>();
        Assert.Equal(CuratorJson, Encoding.UTF8.GetString(serializer.Serialize(instance)));
        var back = serializer.Deserialize(Encoding.UTF8.GetBytes(CuratorJson));
        Assert.Equal(instance with { Payload = back.Payload }, back);
        Assert.Equal("v", back.Payload!["k"]);
        Assert.Equal("http://10.0.0.1:8080", back.BuildUri());
    }

    [Fact]
    public void PayloadsOfEveryShapeAreReadAsCuratorWritesThem()
    {
        // Jackson's class-name type info: objects get "@class", lists are wrapped, scalars are bare.
        var list = new JsonInstanceSerializer<List<string>>().Deserialize(Encoding.UTF8.GetBytes(
            """{"name":"svc","id":"id1","address":"10.0.0.1","port":8080,"sslPort":null,"payload":["java.util.ArrayList",["a","b"]],"registrationTimeUTC":1234,"serviceType":"DYNAMIC","uriSpec":null}"""));
        Assert.Equal(["a", "b"], list.Payload!);

        var text = new JsonInstanceSerializer<string>().Deserialize(Encoding.UTF8.GetBytes(
            """{"name":"svc","id":"id2","address":"10.0.0.1","port":null,"sslPort":8443,"payload":"text","registrationTimeUTC":1234,"serviceType":"DYNAMIC_SEQUENTIAL","uriSpec":null}"""));
        Assert.Equal(("text", (int?)null, (int?)8443, ServiceType.DynamicSequential), (text.Payload, text.Port, text.SslPort, text.ServiceType));

        var pojo = new JsonInstanceSerializer<Details>().Deserialize(Encoding.UTF8.GetBytes(
            """{"name":"svc","id":"id1","address":"10.0.0.1","port":8080,"sslPort":null,"payload":{"@class":"JsonProbe2$Details","description":"d","weight":3},"registrationTimeUTC":1234,"serviceType":"DYNAMIC","uriSpec":null,"enabled":false,"unknown":1}"""));
        Assert.Equal(new Details("d", 3), pojo.Payload);
        Assert.False(pojo.Enabled);

        var none = new JsonInstanceSerializer<Details>().Deserialize(Encoding.UTF8.GetBytes("""{"name":"svc","id":"id3","payload":null}"""));
        Assert.Null(none.Payload);
        Assert.True(none.Enabled);
    }

    [Fact]
    public void PayloadsGetTheConfiguredJavaClass()
    {
        var serializer = new JsonInstanceSerializer<Details> { JavaPayloadClass = "com.example.Details", WriteEnabled = true };
        var json = Encoding.UTF8.GetString(serializer.Serialize(new ServiceInstance<Details>("svc", "x") { Payload = new Details("d", 1) }));
        Assert.Contains("\"payload\":{\"@class\":\"com.example.Details\",\"description\":\"d\",\"weight\":1}", json, StringComparison.Ordinal);
        Assert.EndsWith(",\"enabled\":true}", json, StringComparison.Ordinal);
        Assert.Equal(
            """["java.util.ArrayList",["a"]]""",
            JsonDocument.Parse(new JsonInstanceSerializer<string[]>().Serialize(new ServiceInstance<string[]>("s", "i") { Payload = ["a"] })).RootElement.GetProperty("payload").GetRawText());
    }

    [Theory]
    [InlineData("")]
    [InlineData("[]")]
    [InlineData("{\"id\":\"x\"}")]
    [InlineData("{\"name\":\"svc\",\"id\":\"x\",\"serviceType\":\"ODD\"}")]
    [InlineData("not json")]
    public void GarbageIsAFormatException(string data) =>
        Assert.Throws<FormatException>(() => new JsonInstanceSerializer<string>().Deserialize(Encoding.UTF8.GetBytes(data)));

    [Fact]
    public void UriSpecsFillTheirVariables()
    {
        var spec = new UriSpec("{scheme}://{address}:{ssl-port}/{name}/{[}x{]}?t={service-type}&v={missing}");
        var instance = new ServiceInstance<string>("api", "1") { Address = "h", SslPort = 443 };
        Assert.Equal("https://h:443/api/{x}?t=dynamic&v=", spec.Build(instance));
        Assert.Equal("https://h:443/api/{x}?t=dynamic&v=7", spec.Build(instance, new Dictionary<string, object?> { ["missing"] = 7 }));
        Assert.Equal(spec, new UriSpec(spec.Parts));
        Assert.Throws<FormatException>(() => new UriSpec("{a"));
        Assert.Throws<FormatException>(() => new UriSpec("a}"));
        Assert.Throws<FormatException>(() => new UriSpec("{a{b}}"));
    }

    public sealed record Details(string Description, int Weight);
}
