/// Input a user can fix, with a message meant for them.
public struct ValidationError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What to show the user.
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
