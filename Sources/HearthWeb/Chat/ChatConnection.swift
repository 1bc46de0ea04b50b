import HearthCore
import NIOWebSocket
import Synchronization

/// One open WebSocket of one user in one room.
final class ChatConnection: Sendable {
    /// Why the server ended this connection: the close code and reason to send.
    struct Removal: Sendable {
        let code: UInt16
        let reason: String
    }

    let user: User
    let queue: OutboundQueue
    private let removal = Mutex<Removal?>(nil)

    init(user: User, queueCapacity: Int) {
        self.user = user
        self.queue = OutboundQueue(capacity: queueCapacity)
    }

    /// Sends the client a last `removed` frame and ends the connection with `code`.
    func remove(code: UInt16, reason: String) {
        removal.withLock { $0 = Removal(code: code, reason: reason) }
        queue.push(FrameEncoder.encode(.removed(reason: reason)))
        queue.close()
    }

    /// Set when a moderator removed this connection.
    var removed: Removal? { removal.withLock { $0 } }

    /// Ends the connection because this instance is shutting down: the client reconnects
    /// (through the proxy, to another instance) and catches up.
    func goAway() {
        removal.withLock { $0 = $0 ?? Removal(code: 1001, reason: "server shutting down; reconnect") }
        queue.close()
    }
}
