/// An error from PostgreSQL or from this wrapper.
///
/// ``description`` names the kind of error, the SQLSTATE and the constraint or column involved,
/// and never a bound value. The server's own message can quote values, so it is kept in
/// ``serverMessage`` for debugging and is not part of the description.
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    /// What went wrong, coarsely; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidConfiguration, connectionFailed, connectionLost
            case uniqueViolation, foreignKeyViolation, notNullViolation, checkViolation
            case serializationFailure, deadlockDetected, invalidInput, server
            case columnNotFound, typeMismatch, unexpectedNull, protocolViolation
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The configuration or URL cannot be used.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A connection could not be opened.
        public static let connectionFailed = Code(.connectionFailed)
        /// An open connection broke (server restart, network failure, admin shutdown).
        public static let connectionLost = Code(.connectionLost)
        /// SQLSTATE 23505.
        public static let uniqueViolation = Code(.uniqueViolation)
        /// SQLSTATE 23503.
        public static let foreignKeyViolation = Code(.foreignKeyViolation)
        /// SQLSTATE 23502.
        public static let notNullViolation = Code(.notNullViolation)
        /// SQLSTATE 23514.
        public static let checkViolation = Code(.checkViolation)
        /// SQLSTATE 40001: retry the transaction.
        public static let serializationFailure = Code(.serializationFailure)
        /// SQLSTATE 40P01: retry the transaction.
        public static let deadlockDetected = Code(.deadlockDetected)
        /// SQLSTATE class 22: a value the server could not accept.
        public static let invalidInput = Code(.invalidInput)
        /// Any other error reported by the server.
        public static let server = Code(.server)
        /// A row has no column of the requested name or index.
        public static let columnNotFound = Code(.columnNotFound)
        /// A column's type cannot be decoded as the requested Swift type.
        public static let typeMismatch = Code(.typeMismatch)
        /// A NULL was decoded as a non-optional Swift type.
        public static let unexpectedNull = Code(.unexpectedNull)
        /// libpq or the server answered in a way this wrapper did not expect.
        public static let protocolViolation = Code(.protocolViolation)

        public var description: String {
            switch base {
            case .invalidConfiguration: "invalid configuration"
            case .connectionFailed: "connection failed"
            case .connectionLost: "connection lost"
            case .uniqueViolation: "unique violation"
            case .foreignKeyViolation: "foreign key violation"
            case .notNullViolation: "not-null violation"
            case .checkViolation: "check violation"
            case .serializationFailure: "serialization failure"
            case .deadlockDetected: "deadlock detected"
            case .invalidInput: "invalid input"
            case .server: "server error"
            case .columnNotFound: "column not found"
            case .typeMismatch: "type mismatch"
            case .unexpectedNull: "unexpected NULL"
            case .protocolViolation: "protocol violation"
            }
        }

        /// Maps a SQLSTATE to a code.
        static func from(sqlState: String) -> Code {
            switch sqlState {
            case "23505": .uniqueViolation
            case "23503": .foreignKeyViolation
            case "23502": .notNullViolation
            case "23514": .checkViolation
            case "40001": .serializationFailure
            case "40P01": .deadlockDetected
            // 57P01-57P03: the server is shutting down or restarting.
            case "57P01", "57P02", "57P03": .connectionLost
            default:
                if sqlState.hasPrefix("08") { .connectionLost }
                else if sqlState.hasPrefix("22") { .invalidInput }
                else { .server }
            }
        }
    }

    /// The kind of error.
    public let code: Code
    /// The five-character SQLSTATE, when the server sent one.
    public let sqlState: String?
    /// The constraint involved (unique, foreign key, check), when the server named one.
    public let constraint: String?
    /// The result column involved in a decoding error.
    public let column: String?
    /// The server's or libpq's own words. They can quote values: keep them out of user-facing
    /// text and out of logs above debug level.
    public let serverMessage: String?

    init(code: Code, sqlState: String? = nil, constraint: String? = nil, column: String? = nil, message: String? = nil) {
        self.code = code
        self.sqlState = sqlState
        self.constraint = constraint
        self.column = column
        self.serverMessage = message
    }

    public var description: String {
        var details: [String] = []
        if let sqlState { details.append("SQLSTATE \(sqlState)") }
        if let constraint { details.append("constraint \(constraint)") }
        if let column { details.append("column \(column)") }
        return details.isEmpty ? "PostgreSQL: \(code)" : "PostgreSQL: \(code) (\(details.joined(separator: ", ")))"
    }
}
