import HearthCore
import HearthStorage
import Logging

/// A room's live side on this instance: its open connections, who is present, and the writer
/// that stores messages in batches and then broadcasts them in position order.
actor RoomChannel {
    let room: Room
    private let messages: any MessageRepository
    private let leaveGrace: Duration
    private let logger: Logger
    private var connections: [ObjectIdentifier: ChatConnection] = [:]
    private var connectionsPerUser: [Int64: Int] = [:]
    private var present: [Int64: User] = [:]
    private var pendingLeaves: [Int64: Task<Void, Never>] = [:]
    private var pending: [(message: NewMessage, continuation: CheckedContinuation<ChatMessage, any Error>)] = []
    private var isFlushing = false
    /// The most messages stored in one transaction.
    private let batchLimit = 256

    init(room: Room, messages: any MessageRepository, leaveGrace: Duration, logger: Logger) {
        self.room = room
        self.messages = messages
        self.leaveGrace = leaveGrace
        self.logger = logger
    }

    /// Who is here now, by display name.
    var people: [String] { present.values.map(\.displayName).sorted { $0.lowercased() < $1.lowercased() } }

    /// Whether the user has a connection open here.
    func isPresent(userID: Int64) -> Bool { present[userID] != nil }

    /// Adds a connection. The user's first connection writes "X joined", unless they are coming
    /// back within the grace period after their last one closed (a reload or a reconnect).
    func connect(_ connection: ChatConnection) {
        connections[ObjectIdentifier(connection)] = connection
        let user = connection.user
        connectionsPerUser[user.id, default: 0] += 1
        guard connectionsPerUser[user.id] == 1 else { return }
        present[user.id] = user
        broadcastPresence()
        if let leave = pendingLeaves.removeValue(forKey: user.id) {
            leave.cancel()
        } else {
            postInBackground(NewMessage(roomID: room.id, author: user, kind: .join, body: "\(user.displayName) joined"))
        }
    }

    /// Removes a connection. When it was the user's last, "X left" is written after the grace
    /// period unless they come back first (a removed user's leaving is announced by the removal).
    func disconnect(_ connection: ChatConnection) {
        guard connections.removeValue(forKey: ObjectIdentifier(connection)) != nil else { return }
        let user = connection.user
        connectionsPerUser[user.id, default: 1] -= 1
        guard connectionsPerUser[user.id] == 0 else { return }
        connectionsPerUser[user.id] = nil
        let shown = present.removeValue(forKey: user.id) ?? user
        broadcastPresence()
        guard connection.removed == nil else { return }
        pendingLeaves[user.id] = Task {
            try? await Task.sleep(for: leaveGrace)
            guard !Task.isCancelled else { return }
            self.finishLeave(shown)
        }
    }

    private func finishLeave(_ user: User) {
        guard pendingLeaves.removeValue(forKey: user.id) != nil, connectionsPerUser[user.id] == nil else { return }
        postInBackground(NewMessage(roomID: room.id, author: user, kind: .leave, body: "\(user.displayName) left"))
    }

    /// Ends every connection of the user here, telling them why (`/kill`, `/ban`).
    func remove(userID: Int64, code: UInt16, reason: String) {
        for connection in connections.values where connection.user.id == userID {
            connection.remove(code: code, reason: reason)
        }
    }

    /// A user's display name changed.
    func rename(userID: Int64, to name: String) {
        guard let user = present[userID] else { return }
        present[userID] = User(id: user.id, username: user.username, displayName: name)
        broadcastPresence()
    }

    /// Stores a message (committed) and then broadcasts it to every connection that may see it.
    /// Messages posted while a batch is being written are stored together in the next one; a
    /// message with an effect is stored in a batch of its own, so a failing effect (a taken
    /// name, say) fails only its own command.
    /// - Returns: The stored message, with its position.
    func post(_ message: NewMessage) async throws -> ChatMessage {
        try await withCheckedThrowingContinuation { continuation in
            pending.append((message, continuation))
            if !isFlushing {
                isFlushing = true
                Task { await self.flush() }
            }
        }
    }

    private func postInBackground(_ message: NewMessage) {
        Task {
            do {
                _ = try await post(message)
            } catch {
                logger.error("could not store a presence line", metadata: ["room": "\(room.id)", "error": "\(error)"])
            }
        }
    }

    private func flush() async {
        while !pending.isEmpty {
            let batch = nextBatch()
            do {
                let stored = try await messages.append(batch.map(\.message))
                for (entry, message) in zip(batch, stored) {
                    deliver(message, for: entry.message)
                    entry.continuation.resume(returning: message)
                }
            } catch {
                for entry in batch {
                    entry.continuation.resume(throwing: error)
                }
            }
        }
        isFlushing = false
    }

    private func nextBatch() -> [(message: NewMessage, continuation: CheckedContinuation<ChatMessage, any Error>)] {
        var count = 0
        for entry in pending.prefix(batchLimit) {
            if entry.message.effect != nil {
                if count == 0 { count = 1 }
                break
            }
            count += 1
        }
        let batch = Array(pending.prefix(count))
        pending.removeFirst(count)
        return batch
    }

    private func deliver(_ message: ChatMessage, for new: NewMessage) {
        let frame = FrameEncoder.encode(.message(message))
        if new.kind == .private {
            let audience: Set<Int64?> = [new.author?.id, new.recipient?.id]
            for connection in connections.values where audience.contains(connection.user.id) {
                connection.queue.push(frame)
            }
            return
        }
        broadcast(frame)
        if case .setTopic(let topic) = new.effect {
            broadcast(FrameEncoder.encode(.topic(topic)))
        }
    }

    private func broadcastPresence() {
        broadcast(FrameEncoder.encode(.presence(people)))
    }

    /// Queues the same encoded bytes for every connection. A connection whose queue is full
    /// has its queue closed; its handler then drops the socket and calls ``disconnect(_:)``.
    private func broadcast(_ frame: OutboundQueue.Frame) {
        for connection in connections.values {
            connection.queue.push(frame)
        }
    }
}
