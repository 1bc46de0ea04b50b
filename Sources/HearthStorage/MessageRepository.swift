import HearthCore
import HearthPostgres

/// A line about to be stored.
public struct NewMessage: Sendable {
    public let roomID: Int64
    /// `nil` for system lines.
    public let author: User?
    public let kind: MessageKind
    public let body: String

    public init(roomID: Int64, author: User?, kind: MessageKind, body: String) {
        self.roomID = roomID
        self.author = author
        self.kind = kind
        self.body = body
    }
}

/// Room history.
public protocol MessageRepository: Sendable {
    /// Stores messages in one transaction and one round trip (group commit), giving each the
    /// room's next position. All are stored, or none.
    /// - Returns: The stored messages, in the order given.
    func append(_ messages: [NewMessage]) async throws -> [ChatMessage]
    /// Up to `limit` messages before `position` (all, when `nil`), oldest first.
    func page(roomID: Int64, before position: Int64?, limit: Int) async throws -> [ChatMessage]
    /// Up to `limit` messages after `position`, oldest first.
    func after(roomID: Int64, position: Int64, limit: Int) async throws -> [ChatMessage]
}

/// Room history in PostgreSQL.
public struct PostgresMessageRepository: MessageRepository {
    let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    public func append(_ messages: [NewMessage]) async throws -> [ChatMessage] {
        guard !messages.isEmpty else { return [] }
        // Taking the position with UPDATE ... RETURNING locks the room row until commit, so
        // positions are handed out in commit order (see 0001_initial.sql).
        let queries: [PostgresQuery] = messages.map { message in
            """
            WITH next AS (
                UPDATE rooms SET last_position = last_position + 1, last_active_at = now()
                WHERE id = \(message.roomID) RETURNING last_position
            )
            INSERT INTO messages (room_id, position, author_id, kind, body)
            SELECT \(message.roomID), next.last_position, \(message.author?.id), \(message.kind.rawValue), \(message.body) FROM next
            RETURNING id, position, created_at
            """
        }
        let results = try await client.withConnection { try await $0.pipeline(queries) }
        return try zip(messages, results).map { message, rows in
            guard let row = rows.first else { throw StorageError.notFound }
            return try ChatMessage(
                id: row.decode("id"), position: row.decode("position"), author: message.author?.username,
                kind: message.kind, body: message.body, createdAt: row.decode("created_at")
            )
        }
    }

    public func page(roomID: Int64, before position: Int64?, limit: Int) async throws -> [ChatMessage] {
        let rows = try await client.query("""
            SELECT m.id, m.position, u.username, m.kind, m.body, m.created_at
            FROM messages m LEFT JOIN users u ON u.id = m.author_id
            WHERE m.room_id = \(roomID) AND m.position < \(position ?? Int64.max)
            ORDER BY m.position DESC LIMIT \(limit)
            """)
        return try rows.map(Self.message).reversed()
    }

    public func after(roomID: Int64, position: Int64, limit: Int) async throws -> [ChatMessage] {
        try await client.query("""
            SELECT m.id, m.position, u.username, m.kind, m.body, m.created_at
            FROM messages m LEFT JOIN users u ON u.id = m.author_id
            WHERE m.room_id = \(roomID) AND m.position > \(position)
            ORDER BY m.position LIMIT \(limit)
            """).map(Self.message)
    }

    static func message(_ row: PostgresRow) throws -> ChatMessage {
        try ChatMessage(
            id: row.decode("id"), position: row.decode("position"), author: row.decode("username"),
            kind: MessageKind(rawValue: row.decode("kind")) ?? .system, body: row.decode("body"),
            createdAt: row.decode("created_at")
        )
    }
}
