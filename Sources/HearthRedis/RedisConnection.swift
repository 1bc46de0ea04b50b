import CHiredis
import HearthConnections

/// One hiredis connection, owned by an actor that runs on a thread of its own, so blocking
/// hiredis calls never occupy a NIO event loop or the cooperative pool.
/// Borrow connections from a ``RedisClient``.
public actor RedisConnection: PooledConnection {
    private let executor: ThreadExecutor
    private var context: UnsafeMutablePointer<redisContext>?

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// Opens a connection, authenticating and selecting the database as configured.
    /// - Throws: ``RedisError`` with code `connectionFailed`.
    public static func connect(to configuration: RedisConfiguration) async throws -> RedisConnection {
        let connection = RedisConnection(name: "redis \(configuration.host):\(configuration.port)")
        try await connection.open(configuration)
        return connection
    }

    private init(name: String) {
        executor = ThreadExecutor(name: name)
    }

    isolated deinit {
        if let context { redisFree(context) }
        executor.shutdown()
    }

    private func open(_ configuration: RedisConfiguration) throws {
        context = try RedisContext.open(configuration)
    }

    /// Sends a command given as raw argument bytes.
    /// - Throws: ``RedisError``: `errorReply` for an error reply, `timeout`, `connectionLost`.
    @discardableResult
    public func send(_ arguments: [[UInt8]]) throws -> RedisValue {
        guard let context, context.pointee.err == 0 else {
            throw RedisError(code: .connectionLost, message: "the connection is closed")
        }
        return try RedisContext.command(context, arguments)
    }

    /// Sends a command: `send("SET", key, value, "EX", 60)`.
    @discardableResult
    public func send(_ command: String, _ arguments: any RedisArgument...) throws -> RedisValue {
        try send([command.redisBytes] + arguments.map(\.redisBytes))
    }

    /// Whether the connection is open and the server has not closed it.
    public func checkHealth() -> Bool {
        guard let context, context.pointee.err == 0 else { return false }
        return !RedisContext.hasPendingInput(context)
    }

    /// Closes the connection.
    public func close() {
        if let context { redisFree(context) }
        context = nil
        executor.shutdown()
    }
}
