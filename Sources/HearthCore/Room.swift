import Foundation

/// A chat room.
public struct Room: Sendable, Equatable {
    public let id: Int64
    /// The name as its creator spelled it; unique regardless of case.
    public let name: String
    public let topic: String
    public let ownerID: Int64
    /// When the newest message was written, if any.
    public let lastActiveAt: Date?

    public init(id: Int64, name: String, topic: String, ownerID: Int64, lastActiveAt: Date?) {
        self.id = id
        self.name = name
        self.topic = topic
        self.ownerID = ownerID
        self.lastActiveAt = lastActiveAt
    }
}
