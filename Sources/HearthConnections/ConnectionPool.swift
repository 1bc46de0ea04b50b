import ServiceLifecycle

/// A bounded pool of connections that lends each one to a single borrower at a time.
///
/// Connections are only lent inside ``withConnection(_:)``, so they are always returned.
/// Borrowers beyond ``Configuration/maxConnections`` wait in FIFO order for at most
/// ``Configuration/leaseTimeout``. A connection is health-checked before it is lent; a broken one
/// (for example after the server restarted) is closed and replaced by a fresh one.
///
/// The pool is a `Service`: run it in a `ServiceGroup` and it closes every connection on
/// graceful shutdown.
public actor ConnectionPool<Connection: PooledConnection>: Service {
    /// How a pool sizes itself and how long borrowers wait.
    public struct Configuration: Sendable {
        /// The most connections open at once.
        public var maxConnections: Int
        /// How long a borrower waits for a connection before ``ConnectionPoolError/leaseTimeout``.
        public var leaseTimeout: Duration

        public init(maxConnections: Int = 8, leaseTimeout: Duration = .seconds(5)) {
            precondition(maxConnections > 0, "a pool needs at least one connection")
            self.maxConnections = maxConnections
            self.leaseTimeout = leaseTimeout
        }
    }

    /// What a waiting borrower is handed.
    private enum Grant: Sendable {
        /// An idle connection, ready to use.
        case connection(Connection)
        /// A free slot: the borrower opens a new connection itself.
        case slot
    }

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Grant, any Error>
        let timeout: Task<Void, Never>
    }

    private let configuration: Configuration
    private let connect: @Sendable () async throws -> Connection
    private var idle: [Connection] = []
    private var openCount = 0
    private var waiters: [Waiter] = []
    private var nextWaiterID = 0
    private var isShutDown = false

    /// Creates a pool. No connection is opened until the first borrow.
    /// - Parameters:
    ///   - configuration: Size and timeout.
    ///   - connect: Opens a new connection; called when the pool needs one.
    public init(configuration: Configuration, connect: @escaping @Sendable () async throws -> Connection) {
        self.configuration = configuration
        self.connect = connect
    }

    /// Lends a connection to `body` and takes it back when `body` returns or throws.
    public nonisolated func withConnection<Result: Sendable>(
        _ body: (Connection) async throws -> Result
    ) async throws -> Result {
        let connection = try await lease()
        let result: Result
        do {
            result = try await body(connection)
        } catch {
            await release(connection, checkFirst: true)
            throw error
        }
        await release(connection, checkFirst: false)
        return result
    }

    /// Waits for graceful shutdown, then closes every connection.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Fails waiting borrowers, closes idle connections, and closes the rest as they come back.
    public func shutdown() async {
        guard !isShutDown else { return }
        isShutDown = true
        let waiting = waiters
        waiters.removeAll()
        for waiter in waiting {
            waiter.timeout.cancel()
            waiter.continuation.resume(throwing: ConnectionPoolError.shutDown)
        }
        let closing = idle
        idle.removeAll()
        openCount -= closing.count
        for connection in closing {
            await connection.close()
        }
    }

    // MARK: - Lending

    private func lease() async throws -> Connection {
        while true {
            guard !isShutDown else { throw ConnectionPoolError.shutDown }
            let grant: Grant
            if let connection = idle.popLast() {
                grant = .connection(connection)
            } else if openCount < configuration.maxConnections {
                openCount += 1
                grant = .slot
            } else {
                grant = try await waitForGrant()
            }
            switch grant {
            case .connection(let connection):
                if await connection.checkHealth() {
                    return connection
                }
                // Broken (the server restarted, say): drop it and use its slot for a new one.
                await connection.close()
                return try await openConnection()
            case .slot:
                return try await openConnection()
            }
        }
    }

    /// Opens a connection in a slot this borrower already holds; gives the slot back on failure.
    private func openConnection() async throws -> Connection {
        do {
            return try await connect()
        } catch {
            freeSlot()
            throw error
        }
    }

    private func release(_ connection: Connection, checkFirst: Bool) async {
        if checkFirst, !(await connection.checkHealth()) {
            await connection.close()
            freeSlot()
            return
        }
        if isShutDown {
            openCount -= 1
            await connection.close()
            return
        }
        if !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            waiter.timeout.cancel()
            waiter.continuation.resume(returning: .connection(connection))
        } else {
            idle.append(connection)
        }
    }

    /// A slot was given up: hand it to the first waiter, who will open a connection.
    private func freeSlot() {
        if !waiters.isEmpty {
            let waiter = waiters.removeFirst()
            waiter.timeout.cancel()
            waiter.continuation.resume(returning: .slot)
        } else {
            openCount -= 1
        }
    }

    private func waitForGrant() async throws -> Grant {
        let id = nextWaiterID
        nextWaiterID += 1
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let timeout = Task { [configuration] in
                    try? await Task.sleep(for: configuration.leaseTimeout)
                    guard !Task.isCancelled else { return }
                    self.failWaiter(id, with: ConnectionPoolError.leaseTimeout)
                }
                waiters.append(Waiter(id: id, continuation: continuation, timeout: timeout))
            }
        } onCancel: {
            Task { await self.failWaiter(id, with: CancellationError()) }
        }
    }

    private func failWaiter(_ id: Int, with error: any Error) {
        guard let index = waiters.firstIndex(where: { $0.id == id }) else { return }
        let waiter = waiters.remove(at: index)
        waiter.timeout.cancel()
        waiter.continuation.resume(throwing: error)
    }
}
