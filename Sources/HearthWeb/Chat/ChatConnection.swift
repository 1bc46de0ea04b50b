import HearthCore

/// One open WebSocket of one user in one room.
final class ChatConnection: Sendable {
    let user: User
    let queue: OutboundQueue

    init(user: User, queueCapacity: Int) {
        self.user = user
        self.queue = OutboundQueue(capacity: queueCapacity)
    }
}
