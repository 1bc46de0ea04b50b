import HearthPostgres
import HearthTestSupport
import Testing

@Suite struct SchemaTests {
    @Test func usernamesAreUniqueRegardlessOfCase() async throws {
        try await TestDatabase.with { _, client in
            try await client.query("INSERT INTO users (username, password_hash) VALUES (\("Alice"), \("x"))")
            let error = try await #require(throws: PostgresError.self) {
                try await client.query("INSERT INTO users (username, password_hash) VALUES (\("aLICE"), \("x"))")
            }
            #expect(error.code == .uniqueViolation)
            #expect(error.constraint == "users_username_key")
        }
    }

    @Test func roomNamesAreUniqueRegardlessOfCase() async throws {
        try await TestDatabase.with { _, client in
            let owner = try await client.query("INSERT INTO users (username, password_hash) VALUES (\("owner"), \("x")) RETURNING id").first!.decode("id", as: Int.self)
            try await client.query("INSERT INTO rooms (name, owner_id) VALUES (\("Lobby"), \(owner))")
            let error = try await #require(throws: PostgresError.self) {
                try await client.query("INSERT INTO rooms (name, owner_id) VALUES (\("LOBBY"), \(owner))")
            }
            #expect(error.constraint == "rooms_name_key")
        }
    }

    @Test func membershipRolesAreConstrained() async throws {
        try await TestDatabase.with { _, client in
            let owner = try await client.query("INSERT INTO users (username, password_hash) VALUES (\("o"), \("x")) RETURNING id").first!.decode("id", as: Int.self)
            let room = try await client.query("INSERT INTO rooms (name, owner_id) VALUES (\("r"), \(owner)) RETURNING id").first!.decode("id", as: Int.self)
            try await client.query("INSERT INTO memberships (room_id, user_id, role) VALUES (\(room), \(owner), \("owner"))")
            let error = try await #require(throws: PostgresError.self) {
                try await client.query("UPDATE memberships SET role = \("emperor") WHERE room_id = \(room)")
            }
            #expect(error.code == .checkViolation)
        }
    }

    @Test func keysetQueriesUseTheRoomPositionIndex() async throws {
        try await TestDatabase.with { _, client in
            try await client.withConnection { connection in
                // With sequential scans disabled the planner must find an index for both shapes.
                try await connection.query("SET enable_seqscan = off")
                for query: PostgresQuery in [
                    "EXPLAIN SELECT * FROM messages WHERE room_id = \(1) AND position > \(10) ORDER BY position LIMIT 100",
                    "EXPLAIN SELECT * FROM messages WHERE room_id = \(1) AND position < \(10) ORDER BY position DESC LIMIT 50",
                ] {
                    let plan = try await connection.query(query).map { try $0.decode("QUERY PLAN", as: String.self) }.joined(separator: "\n")
                    #expect(plan.contains("messages_room_position"), "\(plan)")
                }
            }
        }
    }
}
