import CLibPQ
import Foundation
import HearthConnections

/// One libpq connection, owned by an actor that runs on a thread of its own.
///
/// Every libpq call blocks, so the actor's executor is a dedicated ``ThreadExecutor``: the
/// `PGconn` handle is only touched on that thread, and callers simply `await` the result.
/// Borrow connections from a ``PostgresClient`` rather than opening them directly.
public actor PostgresConnection: PooledConnection {
    private let executor: ThreadExecutor
    private var handle: OpaquePointer?
    /// Statements prepared on this connection: SQL text → statement name.
    private var preparedStatements: [String: String] = [:]
    /// Where this connection goes.
    public nonisolated let configuration: PostgresConfiguration

    public nonisolated var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// Opens a connection.
    /// - Throws: ``PostgresError`` with code `connectionFailed`.
    public static func connect(to configuration: PostgresConfiguration) async throws -> PostgresConnection {
        let connection = PostgresConnection(configuration: configuration)
        try await connection.open()
        return connection
    }

    private init(configuration: PostgresConfiguration) {
        self.configuration = configuration
        self.executor = ThreadExecutor(name: "postgres \(configuration.host):\(configuration.port)")
    }

    isolated deinit {
        // The pool closes connections explicitly; this only covers one dropped without close().
        if let handle { PQfinish(handle) }
        executor.shutdown()
    }

    private func open() throws {
        let parameters = configuration.libpqParameters
        let connection = withCStringArray(parameters.map(\.0)) { keywords in
            withCStringArray(parameters.map(\.1)) { values in
                PQconnectdbParams(keywords, values, 0)
            }
        }
        guard let connection else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError(code: .connectionFailed, message: message)
        }
        // libpq prints server notices (and the FATAL a restarting server sends) to stderr by
        // default; errors reach callers as PostgresError instead.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        handle = connection
    }

    /// Runs one statement with its bound parameters and returns its rows.
    /// - Throws: ``PostgresError``.
    @discardableResult
    public func query(_ query: PostgresQuery) throws -> PostgresRows {
        let handle = try liveHandle()
        if query.isPrepared {
            let name = try statementName(for: query)
            let result = query.withLibpqParameters { count, _, values, lengths, formats in
                PQexecPrepared(handle, name, count, values, lengths, formats, 1)
            }
            return try consume(result)
        }
        let result = query.withLibpqParameters { count, types, values, lengths, formats in
            PQexecParams(handle, query.sql, count, types, values, lengths, formats, 1)
        }
        return try consume(result)
    }

    /// The name of the query's prepared statement on this connection, preparing it (one round
    /// trip) the first time.
    func statementName(for query: PostgresQuery) throws -> String {
        if let name = preparedStatements[query.sql] { return name }
        let handle = try liveHandle()
        let name = "hearth_\(preparedStatements.count + 1)"
        let types = query.bindings.map { Oid($0.type.oid) }
        try consume(PQprepare(handle, name, query.sql, Int32(types.count), types))
        preparedStatements[query.sql] = name
        return name
    }

    /// Runs SQL text that may hold several statements and takes no parameters
    /// (migration files). Never build `sql` from user input.
    public func unsafeExecuteScript(_ sql: String) throws {
        let handle = try liveHandle()
        try consume(PQexec(handle, sql))
    }

    /// Returns whether the connection is usable, rolling back a transaction a borrower left open.
    ///
    /// Reads whatever the server sent while the connection sat idle without waiting: a server
    /// restart or an administrator's shutdown shows up as an error and end-of-stream, which
    /// marks the connection bad, so a pool never lends a dead connection.
    public func checkHealth() -> Bool {
        guard let handle, PQstatus(handle) == CONNECTION_OK else { return false }
        // A shutting-down server sends an error and then closes: the first read may only get
        // the error, so keep reading while the socket has more (end-of-stream counts).
        for _ in 0..<4 {
            guard PQconsumeInput(handle) == 1, PQstatus(handle) == CONNECTION_OK else { return false }
            var descriptor = pollfd(fd: PQsocket(handle), events: Int16(POLLIN), revents: 0)
            if poll(&descriptor, 1, 0) == 0 { break }
        }
        switch PQtransactionStatus(handle) {
        case PQTRANS_IDLE:
            return true
        case PQTRANS_INTRANS, PQTRANS_INERROR:
            return (try? query("ROLLBACK")) != nil && PQtransactionStatus(handle) == PQTRANS_IDLE
        default:
            return false
        }
    }

    /// Closes the connection. Later calls throw `connectionLost`.
    public func close() {
        if let handle { PQfinish(handle) }
        handle = nil
        executor.shutdown()
    }

    // MARK: - Internals shared with the pipeline

    func liveHandle() throws -> OpaquePointer {
        guard let handle, PQstatus(handle) == CONNECTION_OK else {
            throw PostgresError(code: .connectionLost, message: "the connection is closed")
        }
        return handle
    }

    /// Checks a result, copies its rows into Swift values, and frees it.
    @discardableResult
    func consume(_ result: OpaquePointer?) throws -> PostgresRows {
        guard let result else { throw connectionError() }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            return PostgresRows(copying: result)
        case PGRES_FATAL_ERROR, PGRES_NONFATAL_ERROR, PGRES_BAD_RESPONSE:
            throw error(from: result)
        default:
            throw PostgresError(code: .protocolViolation, message: String(cString: PQresStatus(PQresultStatus(result))))
        }
    }

    func error(from result: OpaquePointer) -> PostgresError {
        func field(_ code: Character) -> String? {
            PQresultErrorField(result, Int32(code.asciiValue!)).map { String(cString: $0) }
        }
        let message = field("M") ?? String(cString: PQresultErrorMessage(result))
        let sqlState = field("C")
        let lost = handle.map { PQstatus($0) != CONNECTION_OK } ?? true
        let code: PostgresError.Code = sqlState.map(PostgresError.Code.from(sqlState:)) ?? (lost ? .connectionLost : .server)
        return PostgresError(code: code, sqlState: sqlState, constraint: field("n"), message: message)
    }

    func connectionError() -> PostgresError {
        let message = handle.map { String(cString: PQerrorMessage($0)) } ?? "the connection is closed"
        let lost = handle.map { PQstatus($0) != CONNECTION_OK } ?? true
        return PostgresError(code: lost ? .connectionLost : .protocolViolation, message: message)
    }
}

/// Lends `body` a NULL-terminated array of C strings that lives only for the call.
func withCStringArray<Result>(_ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> Result) -> Result {
    let copies = strings.map { strdup($0) }
    defer { copies.forEach { free($0) } }
    let pointers = copies.map { UnsafePointer($0) } + [nil]
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
