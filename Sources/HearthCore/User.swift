/// A registered account.
public struct User: Sendable, Equatable {
    public let id: Int64
    /// The login name as the user spelled it; unique regardless of case.
    public let username: String
    /// The name shown in rooms: the `/nick` the user chose, or their username.
    public let displayName: String

    public init(id: Int64, username: String, displayName: String? = nil) {
        self.id = id
        self.username = username
        self.displayName = displayName ?? username
    }
}
