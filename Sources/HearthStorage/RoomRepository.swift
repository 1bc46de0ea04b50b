import HearthCore
import HearthPostgres

/// Rooms and memberships.
public protocol RoomRepository: Sendable {
    /// Creates a room owned by `owner`, who becomes its first member with the owner role.
    /// - Throws: ``StorageError/roomNameTaken``.
    func create(name: String, owner: User) async throws -> Room
    /// Every room, most recently active first.
    func all() async throws -> [Room]
    /// The room of that name, regardless of case.
    func find(name: String) async throws -> Room?
    /// Makes `user` a member of `room` if they are not one already (a ban stays in force).
    func join(room: Room, user: User) async throws
    /// The user's role in the room and whether they are banned; a non-member is a member, not banned.
    func membership(roomID: Int64, userID: Int64) async throws -> (role: RoomRole, banned: Bool)
    /// Joins the room (as ``join(room:user:)``) and reads the user as stored now and whether
    /// they are banned there, in one statement: what opening a room's socket needs.
    /// - Returns: `nil` when there is no such user.
    func enter(roomID: Int64, userID: Int64) async throws -> (user: User, banned: Bool)?
}

/// Rooms in PostgreSQL.
public struct PostgresRoomRepository: RoomRepository {
    let client: PostgresClient

    public init(client: PostgresClient) {
        self.client = client
    }

    public func create(name: String, owner: User) async throws -> Room {
        do {
            return try await client.withTransaction { connection in
                let row = try await connection.query("""
                    INSERT INTO rooms (name, owner_id) VALUES (\(name), \(owner.id))
                    RETURNING id, name, topic, owner_id, last_active_at
                    """).first!
                let room = try Self.room(row)
                try await connection.query("""
                    INSERT INTO memberships (room_id, user_id, role) VALUES (\(room.id), \(owner.id), 'owner')
                    """)
                return room
            }
        } catch let error as PostgresError where error.code == .uniqueViolation {
            throw StorageError.roomNameTaken
        }
    }

    public func all() async throws -> [Room] {
        try await client.query("""
            SELECT id, name, topic, owner_id, last_active_at FROM rooms
            ORDER BY last_active_at DESC NULLS LAST, lower(name)
            """).map(Self.room)
    }

    public func find(name: String) async throws -> Room? {
        try await client.query(.prepared("""
            SELECT id, name, topic, owner_id, last_active_at FROM rooms WHERE lower(name) = lower(\(name))
            """)).first.map(Self.room)
    }

    public func join(room: Room, user: User) async throws {
        try await client.query(.prepared("""
            INSERT INTO memberships (room_id, user_id) VALUES (\(room.id), \(user.id))
            ON CONFLICT (room_id, user_id) DO NOTHING
            """))
    }

    public func membership(roomID: Int64, userID: Int64) async throws -> (role: RoomRole, banned: Bool) {
        guard let row = try await client.query(.prepared("""
            SELECT role, banned FROM memberships WHERE room_id = \(roomID) AND user_id = \(userID)
            """)).first else { return (.member, false) }
        return (RoomRole(rawValue: try row.decode("role")) ?? .member, try row.decode("banned"))
    }

    public func enter(roomID: Int64, userID: Int64) async throws -> (user: User, banned: Bool)? {
        // The INSERT's own row is invisible to the rest of the statement, so a new member's
        // ban flag comes from `joined` and an existing member's from the table.
        guard let row = try await client.query(.prepared("""
            WITH joined AS (
                INSERT INTO memberships (room_id, user_id) VALUES (\(roomID), \(userID))
                ON CONFLICT (room_id, user_id) DO NOTHING RETURNING banned
            )
            SELECT u.id, u.username, u.display_name,
                   coalesce((SELECT banned FROM joined),
                            (SELECT banned FROM memberships WHERE room_id = \(roomID) AND user_id = \(userID))) AS banned
            FROM users u WHERE u.id = \(userID)
            """)).first else { return nil }
        return (try PostgresUserRepository.user(row), try row.decode("banned"))
    }

    static func room(_ row: PostgresRow) throws -> Room {
        try Room(
            id: row.decode("id"), name: row.decode("name"), topic: row.decode("topic"),
            ownerID: row.decode("owner_id"), lastActiveAt: row.decode("last_active_at")
        )
    }
}
