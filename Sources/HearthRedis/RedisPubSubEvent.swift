/// What a ``RedisSubscriber`` reports.
public enum RedisPubSubEvent: Sendable, Hashable {
    /// A message published on a subscribed channel.
    case message(channel: String, payload: [UInt8])
    /// A message published on a channel matching a subscribed pattern.
    case patternMessage(pattern: String, channel: String, payload: [UInt8])
    /// The server confirmed a channel or pattern subscription; sent again after each reconnect.
    case subscribed(String)
    /// The connection broke. Messages published from now until the next `subscribed` are missed;
    /// a consumer that cannot afford gaps catches up from its source of truth then.
    case disconnected
}
