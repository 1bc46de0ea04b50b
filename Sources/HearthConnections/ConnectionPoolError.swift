/// An error thrown by ``ConnectionPool``.
public struct ConnectionPoolError: Error, Hashable, CustomStringConvertible, Sendable {
    private enum Base: Hashable, Sendable {
        case leaseTimeout
        case shutDown
    }

    private let base: Base

    /// No connection became free within the pool's lease timeout.
    public static let leaseTimeout = ConnectionPoolError(base: .leaseTimeout)
    /// The pool has been shut down.
    public static let shutDown = ConnectionPoolError(base: .shutDown)

    public var description: String {
        switch base {
        case .leaseTimeout: "timed out waiting for a free connection"
        case .shutDown: "the connection pool is shut down"
        }
    }
}
