import Foundation

/// A stored line of a room's history.
public struct ChatMessage: Sendable, Equatable, Codable {
    public let id: Int64
    /// Strictly increasing per room, in commit order, without gaps.
    public let position: Int64
    /// The author's display name; `nil` for system lines.
    public let author: String?
    public let kind: MessageKind
    public let body: String
    public let createdAt: Date
    /// For private messages: the recipient's display name.
    public let recipient: String?

    public init(id: Int64, position: Int64, author: String?, kind: MessageKind, body: String, createdAt: Date, recipient: String? = nil) {
        self.id = id
        self.position = position
        self.author = author
        self.kind = kind
        self.body = body
        self.createdAt = createdAt
        self.recipient = recipient
    }
}
