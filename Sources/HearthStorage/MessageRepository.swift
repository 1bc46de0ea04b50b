import HearthCore
import HearthPostgres

/// A line about to be stored.
public struct NewMessage: Sendable {
    public let roomID: Int64
    /// `nil` for system lines.
    public let author: User?
    public let kind: MessageKind
    public let body: String
    /// For private messages.
    public let recipient: User?
    /// What the line's transaction also changes.
    public let effect: MessageEffect?

    public init(roomID: Int64, author: User?, kind: MessageKind, body: String, recipient: User? = nil, effect: MessageEffect? = nil) {
        self.roomID = roomID
        self.author = author
        self.kind = kind
        self.body = body
        self.recipient = recipient
        self.effect = effect
    }
}

/// A stored message with who may see it, for delivering it to the right connections.
public struct RoutedMessage: Sendable, Codable, Equatable {
    public let message: ChatMessage
    public let authorID: Int64?
    /// Set for private messages: only the author and the recipient see them.
    public let recipientID: Int64?

    public init(message: ChatMessage, authorID: Int64?, recipientID: Int64?) {
        self.message = message
        self.authorID = authorID
        self.recipientID = recipientID
    }
}

/// Room history.
public protocol MessageRepository: Sendable {
    /// Stores messages (and their effects) in one transaction and one round trip (group
    /// commit), giving each the room's next position. All are stored, or none.
    /// - Returns: The stored messages, in the order given.
    func append(_ messages: [NewMessage]) async throws -> [ChatMessage]
    /// Up to `limit` messages `viewer` may see before `position` (all, when `nil`), oldest first.
    func page(roomID: Int64, viewerID: Int64, before position: Int64?, limit: Int) async throws -> [ChatMessage]
    /// Up to `limit` messages `viewer` may see after `position`, oldest first.
    func after(roomID: Int64, viewerID: Int64, position: Int64, limit: Int) async throws -> [ChatMessage]
    /// Up to `limit` messages after `position` whoever may see them, oldest first, with their
    /// routing (to fill a gap in live delivery).
    func routedAfter(roomID: Int64, position: Int64, limit: Int) async throws -> [RoutedMessage]
    /// The room's newest position.
    func lastPosition(roomID: Int64) async throws -> Int64
}

/// Room history in PostgreSQL.
public struct PostgresMessageRepository: MessageRepository {
    let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    public func append(_ messages: [NewMessage]) async throws -> [ChatMessage] {
        guard !messages.isEmpty else { return [] }
        // One UPDATE per room takes all of the batch's positions at once. It locks the room
        // row until commit, so positions are handed out in commit order (see 0001_initial.sql);
        // rooms are locked in id order, so two writers never wait on each other in a circle.
        var counts: [Int64: Int64] = [:]
        for message in messages { counts[message.roomID, default: 0] += 1 }
        var queries: [PostgresQuery] = counts.keys.sorted().map { roomID in
            .prepared("""
            UPDATE rooms SET last_position = last_position + \(counts[roomID]!), last_active_at = now()
            WHERE id = \(roomID) RETURNING last_position
            """)
        }
        var insertIndices: [Int] = []
        var remaining = counts
        for message in messages {
            if let effect = message.effect {
                queries.append(Self.query(for: effect, roomID: message.roomID))
            }
            remaining[message.roomID]! -= 1
            insertIndices.append(queries.count)
            // Each message's position counts back from the room's new last position.
            queries.append(.prepared("""
                INSERT INTO messages (room_id, position, author_id, recipient_id, kind, body)
                SELECT id, last_position - \(remaining[message.roomID]!), \(message.author?.id), \(message.recipient?.id), \(message.kind.rawValue), \(message.body)
                FROM rooms WHERE id = \(message.roomID)
                RETURNING id, position, created_at,
                    (SELECT coalesce(display_name, username) FROM users WHERE id = author_id) AS author,
                    (SELECT coalesce(display_name, username) FROM users WHERE id = recipient_id) AS recipient
                """))
        }
        let results = try await client.withConnection { try await $0.pipeline(queries) }
        return try zip(messages, insertIndices).map { message, index in
            guard let row = results[index].first else { throw StorageError.notFound }
            return try ChatMessage(
                id: row.decode("id"), position: row.decode("position"), author: row.decode("author"),
                kind: message.kind, body: message.body, createdAt: row.decode("created_at"), recipient: row.decode("recipient")
            )
        }
    }

    static func query(for effect: MessageEffect, roomID: Int64) -> PostgresQuery {
        switch effect {
        case .clearHistory:
            "DELETE FROM messages WHERE room_id = \(roomID)"
        case .setTopic(let topic):
            "UPDATE rooms SET topic = \(topic) WHERE id = \(roomID)"
        case .setRole(let userID, let role):
            """
            INSERT INTO memberships (room_id, user_id, role) VALUES (\(roomID), \(userID), \(role.rawValue))
            ON CONFLICT (room_id, user_id) DO UPDATE SET role = excluded.role
            """
        case .setBanned(let userID, let banned):
            """
            INSERT INTO memberships (room_id, user_id, banned) VALUES (\(roomID), \(userID), \(banned))
            ON CONFLICT (room_id, user_id) DO UPDATE SET banned = excluded.banned
            """
        case .rename(let userID, let name):
            "UPDATE users SET display_name = \(name) WHERE id = \(userID)"
        }
    }

    public func page(roomID: Int64, viewerID: Int64, before position: Int64?, limit: Int) async throws -> [ChatMessage] {
        let rows = try await client.query(.prepared("""
            \(unsafeRaw: Self.select)
            WHERE m.room_id = \(roomID) AND m.position < \(position ?? Int64.max)
              AND (m.recipient_id IS NULL OR m.recipient_id = \(viewerID) OR m.author_id = \(viewerID))
            ORDER BY m.position DESC LIMIT \(limit)
            """))
        return try rows.map(Self.message).reversed()
    }

    public func after(roomID: Int64, viewerID: Int64, position: Int64, limit: Int) async throws -> [ChatMessage] {
        try await client.query(.prepared("""
            \(unsafeRaw: Self.select)
            WHERE m.room_id = \(roomID) AND m.position > \(position)
              AND (m.recipient_id IS NULL OR m.recipient_id = \(viewerID) OR m.author_id = \(viewerID))
            ORDER BY m.position LIMIT \(limit)
            """)).map(Self.message)
    }

    public func routedAfter(roomID: Int64, position: Int64, limit: Int) async throws -> [RoutedMessage] {
        try await client.query(.prepared("""
            \(unsafeRaw: Self.select)
            WHERE m.room_id = \(roomID) AND m.position > \(position)
            ORDER BY m.position LIMIT \(limit)
            """)).map { row in
                RoutedMessage(message: try Self.message(row), authorID: try row.decode("author_id"), recipientID: try row.decode("recipient_id"))
            }
    }

    public func lastPosition(roomID: Int64) async throws -> Int64 {
        try await client.query(.prepared("SELECT last_position FROM rooms WHERE id = \(roomID)")).first?.decode("last_position") ?? 0
    }

    private static let select = """
        SELECT m.id, m.position, coalesce(a.display_name, a.username) AS author, m.kind, m.body, m.created_at,
               coalesce(r.display_name, r.username) AS recipient, m.author_id, m.recipient_id
        FROM messages m LEFT JOIN users a ON a.id = m.author_id LEFT JOIN users r ON r.id = m.recipient_id
        """

    static func message(_ row: PostgresRow) throws -> ChatMessage {
        try ChatMessage(
            id: row.decode("id"), position: row.decode("position"), author: row.decode("author"),
            kind: MessageKind(rawValue: row.decode("kind")) ?? .system, body: row.decode("body"),
            createdAt: row.decode("created_at"), recipient: row.decode("recipient")
        )
    }
}
