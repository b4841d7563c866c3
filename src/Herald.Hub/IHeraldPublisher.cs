namespace Herald.Hub;

/// <summary>Publishes updates to the hub from inside the application, without HTTP.</summary>
public interface IHeraldPublisher
{
    /// <summary>
    /// Stores the update in the history, then delivers it to every matching subscriber.
    /// </summary>
    /// <param name="update">The update; when its id is <see langword="null"/> the hub generates one.</param>
    /// <param name="cancellationToken">Cancels the publish before the update is stored.</param>
    /// <returns>The update's id.</returns>
    /// <exception cref="ArgumentException">The id starts with <c>#</c>, or the id or type contains
    /// CR, LF or NUL.</exception>
    ValueTask<string> PublishAsync(Update update, CancellationToken cancellationToken = default);
}
