import HearthPostgres
import Logging

/// Applies pending migrations in order, each in its own transaction, recording each one in
/// `schema_migrations`.
///
/// A session-level advisory lock serialises migrators, so several instances starting at once
/// do not race: the first applies what is pending, the others then find nothing to do.
public struct Migrator: Sendable {
    /// An arbitrary constant naming Hearth's migration lock.
    static let lockKey = 0x4865_6172_7468  // "Hearth"

    private let client: PostgresClient
    private let migrations: [Migration]
    private let logger: Logger

    public init(client: PostgresClient, migrations: [Migration], logger: Logger) {
        self.client = client
        self.migrations = migrations
        self.logger = logger
    }

    /// Applies every pending migration.
    /// - Returns: The versions applied by this call (empty when the schema was up to date).
    @discardableResult
    public func migrate() async throws -> [Int] {
        try await client.withConnection { connection in
            // Blocks this connection's own thread until any other migrator is done.
            try await connection.query("SELECT pg_advisory_lock(\(Self.lockKey))")
            do {
                let applied = try await applyPending(on: connection)
                try await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
                return applied
            } catch {
                _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.lockKey))")
                throw error
            }
        }
    }

    private func applyPending(on connection: PostgresConnection) async throws -> [Int] {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version    integer PRIMARY KEY,
                name       text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """)
        let rows = try await connection.query("SELECT version FROM schema_migrations")
        let done = Set(try rows.map { try $0.decode("version", as: Int.self) })
        var applied: [Int] = []
        for migration in migrations where !done.contains(migration.version) {
            logger.info("applying migration", metadata: ["version": "\(migration.version)", "name": "\(migration.name)"])
            try await connection.query("BEGIN")
            do {
                try await connection.unsafeExecuteScript(migration.sql)
                try await connection.query("INSERT INTO schema_migrations (version, name) VALUES (\(migration.version), \(migration.name))")
                try await connection.query("COMMIT")
            } catch {
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
            applied.append(migration.version)
        }
        return applied
    }
}
