import HearthConnections
import Logging
import ServiceLifecycle

/// The application's door to Redis: a bounded pool of ``RedisConnection``s.
///
/// Connections are lent only inside ``withConnection(_:)``; a connection broken by a Redis
/// restart is replaced on the next borrow. Run it in a `ServiceGroup` to close connections on
/// graceful shutdown.
public final class RedisClient: Service, Sendable {
    private let pool: ConnectionPool<RedisConnection>

    /// Creates a client; connections open lazily, on first use.
    public init(
        configuration: RedisConfiguration,
        pool poolConfiguration: ConnectionPool<RedisConnection>.Configuration = .init(maxConnections: 4),
        logger: Logger
    ) {
        pool = ConnectionPool(configuration: poolConfiguration) {
            do {
                return try await RedisConnection.connect(to: configuration)
            } catch let error as RedisError {
                logger.warning("cannot connect to Redis", metadata: ["redis": "\(configuration)", "error": "\(error)"])
                throw error
            }
        }
    }

    /// Lends a connection to `body`.
    public func withConnection<Result: Sendable>(_ body: (RedisConnection) async throws -> Result) async throws -> Result {
        try await pool.withConnection(body)
    }

    /// Sends one command on a pooled connection.
    @discardableResult
    public func send(_ command: String, _ arguments: any RedisArgument...) async throws -> RedisValue {
        let argv = [command.redisBytes] + arguments.map(\.redisBytes)
        return try await withConnection { try await $0.send(argv) }
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
