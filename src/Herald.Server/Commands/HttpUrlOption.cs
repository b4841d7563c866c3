using System.CommandLine;

namespace Herald.Server.Commands;

/// <summary>An option whose value must be an absolute <c>http</c> or <c>https</c> URL, refused at parse time otherwise.</summary>
internal static class HttpUrlOption
{
    public static Option<Uri> Create(string name, string description) => new(name)
    {
        Description = description,
        Required = true,
        CustomParser = result =>
        {
            string text = result.Tokens[^1].Value;
            if (Uri.TryCreate(text, UriKind.Absolute, out Uri? url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
            {
                return url;
            }

            result.AddError($"{name} must be an absolute http or https URL; got '{text}'.");
            return null;
        },
    };
}
