import HearthConnections
import Logging
import ServiceLifecycle

/// The application's door to PostgreSQL: a bounded pool of ``PostgresConnection``s.
///
/// Connections are lent only inside ``withConnection(_:)`` and ``withTransaction(_:)``.
/// Run the client in a `ServiceGroup`; it closes its connections on graceful shutdown.
public final class PostgresClient: Service, Sendable {
    private let pool: ConnectionPool<PostgresConnection>
    private let logger: Logger

    /// Creates a client; connections open lazily, on first use.
    public init(
        configuration: PostgresConfiguration,
        pool poolConfiguration: ConnectionPool<PostgresConnection>.Configuration = .init(),
        logger: Logger
    ) {
        self.logger = logger
        self.pool = ConnectionPool(configuration: poolConfiguration) {
            do {
                return try await PostgresConnection.connect(to: configuration)
            } catch let error as PostgresError {
                logger.warning("cannot connect to PostgreSQL", metadata: ["database": "\(configuration)", "error": "\(error)"])
                throw error
            }
        }
    }

    /// Lends a connection to `body`.
    public func withConnection<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await pool.withConnection(body)
    }

    /// Runs `body` in a transaction: commits when it returns, rolls back when it throws.
    public func withTransaction<Result: Sendable>(_ body: (PostgresConnection) async throws -> Result) async throws -> Result {
        try await pool.withConnection { connection in
            try await connection.query("BEGIN")
            let result: Result
            do {
                result = try await body(connection)
            } catch {
                // A failed rollback means the connection broke; the pool's health check drops it.
                _ = try? await connection.query("ROLLBACK")
                throw error
            }
            try await connection.query("COMMIT")
            return result
        }
    }

    /// Runs one statement on a pooled connection.
    @discardableResult
    public func query(_ query: PostgresQuery) async throws -> PostgresRows {
        try await withConnection { try await $0.query(query) }
    }

    /// Closes every connection when the service group shuts down.
    public func run() async throws {
        try await pool.run()
    }

    /// Closes every connection now.
    public func shutdown() async {
        await pool.shutdown()
    }
}
