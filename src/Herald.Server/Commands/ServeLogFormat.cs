namespace Herald.Server.Commands;

/// <summary>How <c>herald serve</c> writes its log to the console (<c>--log-format</c>).</summary>
internal enum ServeLogFormat
{
    /// <summary>One readable line (or two) per entry, for a terminal.</summary>
    Simple,

    /// <summary>One JSON object per line, with the message template's fields as properties, for a log shipper.</summary>
    Json,
}
