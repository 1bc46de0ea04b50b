import HearthConnections
import HearthPostgres
import HearthTestSupport
import Testing

@Suite struct PostgresPoolTests {
    @Test func moreBorrowersThanConnectionsAllFinish() async throws {
        try await TestDatabase.with(migrated: false) { database, _ in
            let logger = TestEnvironment.logger("pool")
            let client = PostgresClient(configuration: database.configuration, pool: .init(maxConnections: 3, leaseTimeout: .seconds(30)), logger: logger)
            let results = try await withThrowingTaskGroup(of: (index: Int, backend: Int).self) { group in
                for index in 0..<40 {
                    group.addTask {
                        try await client.withConnection { connection in
                            let row = try await connection.query("SELECT pg_backend_pid() AS pid, \(index)::bigint AS i, pg_sleep(0.01)").first!
                            return (try row.decode("i", as: Int.self), try row.decode("pid", as: Int.self))
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(results.map(\.index).sorted() == Array(0..<40))
            #expect(Set(results.map(\.backend)).count <= 3)
            await client.shutdown()
        }
    }

    @Test func borrowThatWaitsTooLongThrows() async throws {
        try await TestDatabase.with(migrated: false) { database, _ in
            let client = PostgresClient(configuration: database.configuration, pool: .init(maxConnections: 1, leaseTimeout: .milliseconds(200)), logger: TestEnvironment.logger("pool"))
            try await client.withConnection { _ in
                let error = try await #require(throws: ConnectionPoolError.self) {
                    try await client.query("SELECT 1")
                }
                #expect(error == .leaseTimeout)
            }
            // Once the holder is done, the pool lends again.
            #expect(try await client.query("SELECT 1 AS one").first?.decode("one", as: Int.self) == 1)
            await client.shutdown()
        }
    }

    @Test func shutDownPoolRefusesBorrowers() async throws {
        let client = PostgresClient(configuration: try TestEnvironment.postgresAdmin, logger: TestEnvironment.logger("pool"))
        #expect(try await client.query("SELECT 1 AS one").first?.decode("one", as: Int.self) == 1)
        await client.shutdown()
        await #expect(throws: ConnectionPoolError.shutDown) { try await client.query("SELECT 1") }
    }

    @Test func poolRecoversAfterTheServerRestarts() async throws {
        try await DisposablePostgres.with { server in
            let client = PostgresClient(configuration: server.configuration, pool: .init(maxConnections: 2), logger: TestEnvironment.logger("pool"))
            let before = try await client.query("SELECT pg_backend_pid() AS pid").first!.decode("pid", as: Int.self)

            try await server.stop()
            let whileDown = try await #require(throws: PostgresError.self) { try await client.query("SELECT 1") }
            #expect(whileDown.code == .connectionFailed)

            try await server.start()
            // The first borrow after the restart gets a fresh connection: no error reaches the caller.
            let after = try await client.query("SELECT pg_backend_pid() AS pid").first!.decode("pid", as: Int.self)
            #expect(after != before)
            await client.shutdown()
        }
    }

    @Test func idleConnectionsBrokenByARestartAreReplacedOnBorrow() async throws {
        try await DisposablePostgres.with { server in
            let client = PostgresClient(configuration: server.configuration, pool: .init(maxConnections: 2), logger: TestEnvironment.logger("pool"))
            try await client.query("SELECT 1")
            try await server.stop()
            try await server.start()
            #expect(try await client.query("SELECT 2 AS two").first?.decode("two", as: Int.self) == 2)
            await client.shutdown()
        }
    }
}
