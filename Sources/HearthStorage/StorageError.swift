/// A storage request that cannot be carried out for a reason the user can act on.
public struct StorageError: Error, Equatable, CustomStringConvertible, Sendable {
    private enum Base: Equatable, Sendable {
        case usernameTaken, roomNameTaken, notFound
    }

    private let base: Base

    /// Another account has this username (compared without case).
    public static let usernameTaken = StorageError(base: .usernameTaken)
    /// Another room has this name (compared without case).
    public static let roomNameTaken = StorageError(base: .roomNameTaken)
    /// The row asked for does not exist.
    public static let notFound = StorageError(base: .notFound)

    /// Lets `catch StorageError.usernameTaken` match.
    public static func ~= (pattern: StorageError, error: any Error) -> Bool {
        (error as? StorageError) == pattern
    }

    public var description: String {
        switch base {
        case .usernameTaken: "That username is taken."
        case .roomNameTaken: "A room with that name already exists."
        case .notFound: "Not found."
        }
    }
}
