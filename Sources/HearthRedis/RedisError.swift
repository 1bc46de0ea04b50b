/// An error from Redis or from this wrapper.
///
/// ``description`` never contains command arguments; Redis's own error text is kept in
/// ``serverMessage``.
public struct RedisError: Error, CustomStringConvertible, Sendable {
    /// What went wrong; compare with the static members.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable {
            case invalidConfiguration, connectionFailed, connectionLost, timeout, errorReply
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The configuration or URL cannot be used.
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// A connection could not be opened (or AUTH / SELECT failed).
        public static let connectionFailed = Code(.connectionFailed)
        /// An open connection broke.
        public static let connectionLost = Code(.connectionLost)
        /// The reply did not come within the command timeout.
        public static let timeout = Code(.timeout)
        /// Redis answered with an error reply (`-ERR ...`, `-WRONGTYPE ...`).
        public static let errorReply = Code(.errorReply)

        public var description: String {
            switch base {
            case .invalidConfiguration: "invalid configuration"
            case .connectionFailed: "connection failed"
            case .connectionLost: "connection lost"
            case .timeout: "timeout"
            case .errorReply: "error reply"
            }
        }
    }

    public let code: Code
    /// Redis's or hiredis's own text.
    public let serverMessage: String?

    init(code: Code, message: String? = nil) {
        self.code = code
        self.serverMessage = message
    }

    /// The error prefix Redis put first in an error reply, such as `WRONGTYPE` or `ERR`.
    public var errorPrefix: String? {
        guard code == .errorReply else { return nil }
        return serverMessage?.split(separator: " ").first.map(String.init)
    }

    public var description: String {
        if let errorPrefix { return "Redis: \(code) \(errorPrefix)" }
        return "Redis: \(code)"
    }
}
