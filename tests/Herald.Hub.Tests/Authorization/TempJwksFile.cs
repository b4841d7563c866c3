using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Herald.Hub.Tests.Authorization;

/// <summary>A JWKS written to a temporary file, deleted on dispose.</summary>
internal sealed class TempJwksFile : IDisposable
{
    public TempJwksFile(string contents)
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"herald-jwks-{Guid.NewGuid():N}.json");
        File.WriteAllText(Path, contents);
    }

    public TempJwksFile(params JsonObject[] keys)
        : this(new JsonObject { ["keys"] = new JsonArray([.. keys]) }.ToJsonString())
    {
    }

    public string Path { get; }

    public void Dispose() => File.Delete(Path);

    public static JsonObject Rsa(RSA rsa, string? kid = null, string? alg = null)
    {
        RSAParameters p = rsa.ExportParameters(includePrivateParameters: false);
        return With(new JsonObject { ["kty"] = "RSA", ["n"] = B64(p.Modulus!), ["e"] = B64(p.Exponent!) }, kid, alg);
    }

    public static JsonObject Ec(ECDsa ecdsa, string crv, string? kid = null, string? alg = null)
    {
        ECParameters p = ecdsa.ExportParameters(includePrivateParameters: false);
        return With(new JsonObject { ["kty"] = "EC", ["crv"] = crv, ["x"] = B64(p.Q.X!), ["y"] = B64(p.Q.Y!) }, kid, alg);
    }

    public static JsonObject Oct(byte[] secret, string? kid = null, string? alg = null) =>
        With(new JsonObject { ["kty"] = "oct", ["k"] = B64(secret) }, kid, alg);

    private static JsonObject With(JsonObject key, string? kid, string? alg)
    {
        if (kid is not null)
        {
            key["kid"] = kid;
        }

        if (alg is not null)
        {
            key["alg"] = alg;
        }

        return key;
    }

    private static string B64(byte[] bytes) => Base64Url.EncodeToString(bytes);

    public static string Serialize(JsonObject key) => key.ToJsonString(JsonSerializerOptions.Default);
}
