import HearthPostgres
import HearthStorage

/// A database of its own for one test: created empty (or migrated), dropped afterwards.
public struct TestDatabase: Sendable {
    /// Settings that reach the test's database.
    public let configuration: PostgresConfiguration

    /// Creates a fresh database, lends it to `body`, and drops it whatever happens.
    /// - Parameters:
    ///   - migrated: Apply Hearth's migrations first.
    ///   - body: Gets the database and a client connected to it; the client is shut down after.
    public static func with<Result: Sendable>(
        migrated: Bool = true,
        _ body: (TestDatabase, PostgresClient) async throws -> Result
    ) async throws -> Result {
        let admin = try TestEnvironment.postgresAdmin
        let name = TestEnvironment.uniqueName("hearth_test")
        let logger = TestEnvironment.logger("test-db")
        let adminClient = PostgresClient(configuration: admin, pool: .init(maxConnections: 1), logger: logger)
        try await adminClient.query("CREATE DATABASE \(unsafeRaw: name)")
        var configuration = admin
        configuration.database = name
        let database = TestDatabase(configuration: configuration)
        let client = PostgresClient(configuration: configuration, pool: .init(maxConnections: 4), logger: logger)
        do {
            if migrated {
                try await Migrator(client: client, migrations: Migration.bundled(), logger: logger).migrate()
            }
            let result = try await body(database, client)
            await client.shutdown()
            try await adminClient.query("DROP DATABASE \(unsafeRaw: name) WITH (FORCE)")
            await adminClient.shutdown()
            return result
        } catch {
            await client.shutdown()
            _ = try? await adminClient.query("DROP DATABASE \(unsafeRaw: name) WITH (FORCE)")
            await adminClient.shutdown()
            throw error
        }
    }
}
