import HearthPostgres
import HearthTestSupport
import Testing

@Suite struct PostgresErrorTests {
    @Test func uniqueViolationIsTypedAndNamesNoValue() async throws {
        try await TestDatabase.with(migrated: false) { _, client in
            try await client.withConnection { connection in
                try await connection.query("CREATE TEMP TABLE people (name text CONSTRAINT people_name_key UNIQUE)")
                let secret = "s3cret-value-\(Int.random(in: 1000...9999))"
                try await connection.query("INSERT INTO people VALUES (\(secret))")
                let error = try await #require(throws: PostgresError.self) {
                    try await connection.query("INSERT INTO people VALUES (\(secret))")
                }
                #expect(error.code == .uniqueViolation)
                #expect(error.sqlState == "23505")
                #expect(error.constraint == "people_name_key")
                #expect(!error.description.contains(secret))
                #expect(!"\(error)".contains(secret))
            }
        }
    }

    @Test func foreignKeyViolationIsTyped() async throws {
        try await TestDatabase.with(migrated: false) { _, client in
            try await client.withConnection { connection in
                try await connection.query("CREATE TEMP TABLE parents (id bigint PRIMARY KEY)")
                try await connection.query("CREATE TEMP TABLE children (parent bigint REFERENCES parents (id))")
                let error = try await #require(throws: PostgresError.self) {
                    try await connection.query("INSERT INTO children VALUES (\(42))")
                }
                #expect(error.code == .foreignKeyViolation)
            }
        }
    }

    @Test func serializationFailureIsTyped() async throws {
        try await TestDatabase.with(migrated: false) { _, client in
            try await client.query("CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL)")
            try await client.query("INSERT INTO counters VALUES (1, 0)")
            // Two serializable transactions update the same row; the second to commit must fail.
            try await client.withConnection { first in
                try await client.withConnection { second in
                    try await first.query("BEGIN ISOLATION LEVEL SERIALIZABLE")
                    try await second.query("BEGIN ISOLATION LEVEL SERIALIZABLE")
                    _ = try await first.query("SELECT n FROM counters WHERE id = 1")
                    _ = try await second.query("SELECT n FROM counters WHERE id = 1")
                    try await first.query("UPDATE counters SET n = n + 1 WHERE id = 1")
                    try await first.query("COMMIT")
                    let error = try await #require(throws: PostgresError.self) {
                        try await second.query("UPDATE counters SET n = n + 1 WHERE id = 1")
                    }
                    #expect(error.code == .serializationFailure)
                    try await second.query("ROLLBACK")
                }
            }
        }
    }

    @Test func syntaxErrorIsAServerError() async throws {
        try await TestDatabase.with(migrated: false) { _, client in
            let error = try await #require(throws: PostgresError.self) { try await client.query("SELEKT 1") }
            #expect(error.code == .server)
            #expect(error.sqlState == "42601")
            // The connection is still usable afterwards.
            #expect(try await client.query("SELECT 1 AS one").first?.decode("one", as: Int.self) == 1)
        }
    }

    @Test func badPasswordFailsToConnectWithoutLeakingIt() async throws {
        var configuration = try TestEnvironment.postgresAdmin
        configuration.password = "definitely-wrong-\(Int.random(in: 1000...9999))"
        let error = try await #require(throws: PostgresError.self) {
            _ = try await PostgresConnection.connect(to: configuration)
        }
        #expect(error.code == .connectionFailed)
        #expect(!error.description.contains(configuration.password!))
        #expect(!configuration.description.contains(configuration.password!))
    }

    @Test func urlConfigurationParsesAndRejectsGarbage() throws {
        let configuration = try PostgresConfiguration(url: "postgres://ann:p%40ss@db.local:6543/chat?sslmode=disable")
        #expect(configuration.user == "ann")
        #expect(configuration.password == "p@ss")
        #expect(configuration.host == "db.local")
        #expect(configuration.port == 6543)
        #expect(configuration.database == "chat")
        #expect(configuration.sslMode == "disable")
        #expect(configuration.description == "ann@db.local:6543/chat")
        #expect(throws: PostgresError.self) { try PostgresConfiguration(url: "mysql://x@y/z") }
        #expect(throws: PostgresError.self) { try PostgresConfiguration(url: "postgres://a@b/c?evil=1") }
    }
}
