/// A connection a ``ConnectionPool`` can lend out.
public protocol PooledConnection: AnyObject, Sendable {
    /// Returns whether the connection can be lent out again, repairing cheap problems
    /// (such as an abandoned transaction) on the way. Called on every borrow and after a
    /// borrower threw, so it must not cost a round trip in the common case.
    func checkHealth() async -> Bool

    /// Closes the connection and frees its resources. Called exactly once.
    func close() async
}
