import HearthPostgres
import HearthTestSupport
import Testing

private struct Abort: Error {}

@Suite struct PostgresTransactionTests {
    @Test func transactionCommitsOnSuccess() async throws {
        try await TestDatabase.with(migrated: false) { _, client in
            try await client.query("CREATE TABLE items (name text NOT NULL)")
            try await client.withTransaction { connection in
                try await connection.query("INSERT INTO items VALUES (\("a"))")
                try await connection.query("INSERT INTO items VALUES (\("b"))")
            }
            #expect(try await client.query("SELECT count(*) AS n FROM items").first?.decode("n", as: Int.self) == 2)
        }
    }

    @Test func transactionThatThrowsLeavesNothingBehind() async throws {
        try await TestDatabase.with(migrated: false) { _, client in
            try await client.query("CREATE TABLE items (name text NOT NULL)")
            await #expect(throws: Abort.self) {
                try await client.withTransaction { connection in
                    try await connection.query("INSERT INTO items VALUES (\("a"))")
                    throw Abort()
                }
            }
            await #expect(throws: PostgresError.self) {
                try await client.withTransaction { connection in
                    try await connection.query("INSERT INTO items VALUES (\("b"))")
                    let none: String? = nil
                    try await connection.query("INSERT INTO items VALUES (\(none))")
                }
            }
            #expect(try await client.query("SELECT count(*) AS n FROM items").first?.decode("n", as: Int.self) == 0)
        }
    }

    @Test func pipelineCommitsEveryStatementInOneGo() async throws {
        try await TestDatabase.with(migrated: false) { _, client in
            try await client.query("CREATE TABLE items (id bigint GENERATED ALWAYS AS IDENTITY, name text NOT NULL)")
            let results = try await client.withConnection { connection in
                try await connection.pipeline((1...50).map { "INSERT INTO items (name) VALUES (\("item \($0)")) RETURNING id" })
            }
            #expect(results.count == 50)
            let ids = try results.map { try $0.first!.decode("id", as: Int.self) }
            #expect(ids == Array(ids.sorted()))
            #expect(Set(ids).count == 50)
            #expect(try await client.query("SELECT count(*) AS n FROM items").first?.decode("n", as: Int.self) == 50)
        }
    }

    @Test func pipelineWithAFailingStatementCommitsNothing() async throws {
        try await TestDatabase.with(migrated: false) { _, client in
            try await client.query("CREATE TABLE items (name text NOT NULL UNIQUE)")
            let error = try await #require(throws: PostgresError.self) {
                try await client.withConnection { connection in
                    try await connection.pipeline([
                        "INSERT INTO items VALUES (\("a"))",
                        "INSERT INTO items VALUES (\("a"))",
                        "INSERT INTO items VALUES (\("c"))",
                    ])
                }
            }
            #expect(error.code == .uniqueViolation)
            #expect(try await client.query("SELECT count(*) AS n FROM items").first?.decode("n", as: Int.self) == 0)
            // The connection is usable again after the aborted pipeline.
            try await client.withConnection { connection in
                let results = try await connection.pipeline(["INSERT INTO items VALUES (\("d"))", "SELECT count(*) AS n FROM items"])
                #expect(try results[1].first?.decode("n", as: Int.self) == 1)
            }
        }
    }
}
