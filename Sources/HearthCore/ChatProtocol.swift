/// A frame a client sends over the room WebSocket (JSON with a `type`).
public enum ClientFrame: Sendable, Equatable, Decodable {
    /// Say something; a body starting with `/` is a command.
    case send(body: String)

    private enum CodingKeys: String, CodingKey { case type, body }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        switch try container.decode(String.self, forKey: .type) {
        case "send":
            self = .send(body: try container.decode(String.self, forKey: .body))
        case let other:
            throw DecodingError.dataCorruptedError(forKey: .type, in: container, debugDescription: "unknown frame type \(other)")
        }
    }
}

/// A frame the server sends over the room WebSocket (JSON with a `type`).
public enum ServerFrame: Sendable, Equatable, Encodable {
    /// A stored line, live or from catch-up.
    case message(ChatMessage)
    /// A line for this client only, not stored (welcome, command replies).
    case notice(String)
    /// Something the client sent was refused; nothing was stored.
    case error(code: String, message: String)
    /// Who is in the room now.
    case presence([String])
    /// Catch-up is done: everything up to `position` has been sent; live messages follow.
    case ready(position: Int64)
    /// The room's topic changed.
    case topic(String)
    /// This client is being disconnected by a moderator (`/kill`, `/ban`); it should not reconnect.
    case removed(reason: String)

    private enum CodingKeys: String, CodingKey { case type, message, text, code, people, position, topic }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .message(let message):
            try container.encode("message", forKey: .type)
            try container.encode(message, forKey: .message)
        case .notice(let text):
            try container.encode("notice", forKey: .type)
            try container.encode(text, forKey: .text)
        case .error(let code, let message):
            try container.encode("error", forKey: .type)
            try container.encode(code, forKey: .code)
            try container.encode(message, forKey: .text)
        case .presence(let people):
            try container.encode("presence", forKey: .type)
            try container.encode(people, forKey: .people)
        case .ready(let position):
            try container.encode("ready", forKey: .type)
            try container.encode(position, forKey: .position)
        case .topic(let topic):
            try container.encode("topic", forKey: .type)
            try container.encode(topic, forKey: .topic)
        case .removed(let reason):
            try container.encode("removed", forKey: .type)
            try container.encode(reason, forKey: .text)
        }
    }
}
