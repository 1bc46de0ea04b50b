/// A SQL statement and its bound parameters.
///
/// Build queries with string interpolation: every interpolated value becomes a `$n`
/// placeholder plus a binding, so values never become part of the SQL text.
///
/// ```swift
/// let rows = try await connection.query("SELECT id FROM users WHERE lower(username) = lower(\(name))")
/// ```
///
/// SQL text that must be spliced in (an identifier, say) has to be spelled
/// `\(unsafeRaw: text)`, so the risk is visible where it is taken.
public struct PostgresQuery: Sendable, ExpressibleByStringInterpolation, CustomStringConvertible {
    /// The SQL text, with `$1`, `$2`, ... where values were interpolated.
    public private(set) var sql: String
    /// The values bound to `$1`, `$2`, ...
    public private(set) var bindings: [PostgresBinding]
    /// Whether each connection prepares the statement once and then only binds and executes
    /// it (no parsing or planning per call). See ``prepared()``.
    public private(set) var isPrepared = false

    public init(stringLiteral value: String) {
        self.sql = value
        self.bindings = []
    }

    public init(stringInterpolation: StringInterpolation) {
        self.sql = stringInterpolation.sql
        self.bindings = stringInterpolation.bindings
    }

    /// `query`, prepared once per connection and reused by every later call with the same SQL
    /// text: for statements that run often (storing and reading messages). The SQL text must
    /// not vary from call to call, as it does not when values are interpolated:
    /// `conn.query(.prepared("SELECT ... WHERE id = \(id)"))`.
    public static func prepared(_ query: PostgresQuery) -> PostgresQuery {
        var query = query
        query.isPrepared = true
        return query
    }

    /// The SQL text with bindings shown as `****`: safe to log.
    public var description: String {
        bindings.isEmpty ? sql : "\(sql) [\(bindings.map { _ in "****" }.joined(separator: ", "))]"
    }

    /// Collects literal SQL and bound values.
    public struct StringInterpolation: StringInterpolationProtocol {
        var sql = ""
        var bindings: [PostgresBinding] = []

        public init(literalCapacity: Int, interpolationCount: Int) {
            sql.reserveCapacity(literalCapacity + 4 * interpolationCount)
            bindings.reserveCapacity(interpolationCount)
        }

        public mutating func appendLiteral(_ literal: String) {
            sql += literal
        }

        /// Binds a value as the next `$n` parameter.
        public mutating func appendInterpolation(_ value: some PostgresEncodable) {
            bind(PostgresBinding(value))
        }

        /// Binds a value, or SQL NULL for `nil`, as the next `$n` parameter.
        public mutating func appendInterpolation<Value: PostgresEncodable>(_ value: Value?) {
            bind(value.map(PostgresBinding.init) ?? PostgresBinding(nullOf: Value.postgresType))
        }

        /// Splices text into the SQL itself. Never pass user input.
        public mutating func appendInterpolation(unsafeRaw text: String) {
            sql += text
        }

        private mutating func bind(_ binding: PostgresBinding) {
            bindings.append(binding)
            sql += "$\(bindings.count)"
        }
    }
}

/// One bound parameter in binary format; `bytes` is `nil` for SQL NULL.
public struct PostgresBinding: Sendable, CustomStringConvertible {
    public let type: PostgresType
    public let bytes: [UInt8]?

    public init<Value: PostgresEncodable>(_ value: Value) {
        var bytes: [UInt8] = []
        value.encode(into: &bytes)
        self.type = Value.postgresType
        self.bytes = bytes
    }

    public init(nullOf type: PostgresType) {
        self.type = type
        self.bytes = nil
    }

    /// Always `****`: bound values never reach logs.
    public var description: String { "****" }
}
