using Microsoft.Extensions.Configuration;

namespace Herald.Server.Commands;

/// <summary>
/// The layers of <c>herald serve</c>'s configuration under its flags: <c>appsettings.json</c> in
/// the working directory, then the <c>--config</c> file, then environment variables
/// (<c>HERALD__...</c>), each overriding the one before; the flags, applied last, override all.
/// </summary>
internal static class ServeConfiguration
{
    /// <summary>Reads the layers.</summary>
    /// <param name="configFile">The <c>--config</c> file, or <see langword="null"/>.</param>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is not valid JSON.</exception>
    public static IConfigurationRoot Load(string? configFile)
    {
        var builder = new ConfigurationBuilder()
            .SetBasePath(Directory.GetCurrentDirectory())
            .AddJsonFile("appsettings.json", optional: true);
        if (configFile is not null)
        {
            string path = Path.GetFullPath(configFile);
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The configuration file {path} does not exist.", path);
            }

            builder.AddJsonFile(path, optional: false);
        }

        return builder.AddEnvironmentVariables().Build();
    }

    /// <summary>The <see cref="ServeSettings"/> the layers give.</summary>
    /// <exception cref="InvalidOperationException">A value cannot be read as its setting's type.</exception>
    public static ServeSettings ServerSettings(IConfiguration configuration)
    {
        var settings = new ServeSettings();
        configuration.GetSection(ServeSettings.SectionName).Bind(settings);
        return settings;
    }
}
