/// A registered account.
public struct User: Sendable, Equatable {
    public let id: Int64
    /// The name as the user spelled it; unique regardless of case.
    public let username: String

    public init(id: Int64, username: String) {
        self.id = id
        self.username = username
    }
}
