import HearthCore
import HearthStorage
import Logging
import NIOCore

/// A room's live side on this instance: its open connections, who is present, and the writer
/// that stores messages in batches and then broadcasts them in position order.
actor RoomChannel {
    let room: Room
    private let messages: any MessageRepository
    private let leaveGrace: Duration
    private let logger: Logger
    /// Open connections grouped by event loop, so a broadcast is one hop per loop.
    private var connectionsByLoop: [ObjectIdentifier: (loop: any EventLoop, connections: [ChatConnection])] = [:]
    private var connections: some Sequence<ChatConnection> { connectionsByLoop.values.lazy.flatMap(\.connections) }
    private var connectionsPerUser: [Int64: Int] = [:]
    private var present: [Int64: User] = [:]
    private var pendingLeaves: [Int64: Task<Void, Never>] = [:]
    /// Who waits for a message being stored.
    private enum Waiter {
        /// A caller that needs the stored message (commands, join and leave lines).
        case caller(CheckedContinuation<ChatMessage, any Error>)
        /// A socket that sent a line and reads on meanwhile: it hears only of a failure.
        case sender(ChatConnection)
    }

    private var pending: [(message: NewMessage, waiter: Waiter)] = []
    private var isFlushing = false
    /// The last position delivered to this instance's connections; `nil` until primed.
    private var delivered: Int64?
    /// Messages that arrived ahead of a gap (from another instance, or before a lost event).
    private var early: [Int64: RoomEvent] = [:]
    private var gapFill: Task<Void, Never>?
    /// How long a gap may stay open before it is filled from the database.
    private let gapTimeout = Duration.milliseconds(250)
    private let publish: @Sendable ([RoomEvent]) async -> Void
    private let origin: String
    private let presence: PresenceStore
    private let metrics: Metrics
    /// The most messages stored in one transaction.
    private let batchLimit = 256
    /// Frames to write once the current step is done, each with who may see it (`nil`: all).
    private var outgoing: [(frame: OutgoingFrame, audience: Set<Int64>?)] = []
    /// Set while a presence refresh is scheduled: a crowd arriving together gets one list.
    private var presenceRefreshPending = false
    /// How long presence changes are gathered before the new list is sent.
    private let presenceDelay = Duration.milliseconds(200)

    init(room: Room, messages: any MessageRepository, leaveGrace: Duration, origin: String, presence: PresenceStore,
         metrics: Metrics, publish: @escaping @Sendable ([RoomEvent]) async -> Void, logger: Logger) {
        self.room = room
        self.presence = presence
        self.metrics = metrics
        self.messages = messages
        self.leaveGrace = leaveGrace
        self.origin = origin
        self.publish = publish
        self.logger = logger
    }

    /// Sets where live delivery starts, once: messages at or before it are in the database and
    /// reach clients through catch-up.
    func prime() async {
        guard delivered == nil else { return }
        let last = (try? await messages.lastPosition(roomID: room.id)) ?? 0
        if delivered == nil { delivered = last }
    }

    /// Who is here now on any instance, by display name; what this instance knows when Redis
    /// is away.
    var people: [String] {
        get async {
            var everyone = (try? await presence.people(roomID: room.id)) ?? [:]
            for (id, user) in present { everyone[id] = user.displayName }
            return everyone.values.sorted { $0.lowercased() < $1.lowercased() }
        }
    }

    /// The users with a connection to this room on this instance (for the presence heartbeat).
    var localPeople: [User] { Array(present.values) }

    /// Whether the user has a connection open to this room on any instance.
    func isPresent(userID: Int64) async -> Bool {
        if present[userID] != nil { return true }
        return (try? await presence.people(roomID: room.id))?[userID] != nil
    }

    /// Adds a connection. The user's first connection (on any instance) writes "X joined",
    /// unless they are coming back within the grace period after their last one closed.
    func connect(_ connection: ChatConnection) async {
        connectionsByLoop[ObjectIdentifier(connection.eventLoop), default: (connection.eventLoop, [])].connections.append(connection)
        let user = connection.user
        connectionsPerUser[user.id, default: 0] += 1
        guard connectionsPerUser[user.id] == 1 else { return }
        present[user.id] = user
        let returning = pendingLeaves.removeValue(forKey: user.id)
        returning?.cancel()
        let elsewhere = await presence.isPresentElsewhere(userID: user.id, roomID: room.id)
        await presence.add([user], roomID: room.id)
        presenceChanged()
        if returning == nil && !elsewhere {
            postInBackground(NewMessage(roomID: room.id, author: user, kind: .join, body: "\(user.displayName) joined"))
        }
    }

    /// Removes a connection. When it was the user's last on every instance, "X left" is written
    /// after the grace period unless they come back first (a removal announces itself).
    func disconnect(_ connection: ChatConnection) async {
        let loop = ObjectIdentifier(connection.eventLoop)
        guard let index = connectionsByLoop[loop]?.connections.firstIndex(where: { $0 === connection }) else { return }
        connectionsByLoop[loop]?.connections.remove(at: index)
        if connectionsByLoop[loop]?.connections.isEmpty == true { connectionsByLoop[loop] = nil }
        let user = connection.user
        connectionsPerUser[user.id, default: 1] -= 1
        guard connectionsPerUser[user.id] == 0 else { return }
        connectionsPerUser[user.id] = nil
        let shown = present.removeValue(forKey: user.id) ?? user
        await presence.remove(shown, roomID: room.id)
        presenceChanged()
        // A removal announces itself; an instance shutting down leaves its users to reconnect.
        switch connection.endedBecause {
        case .removed, .goingAway: return
        case .overflowed, nil: break
        }
        pendingLeaves[user.id] = Task {
            try? await Task.sleep(for: leaveGrace)
            guard !Task.isCancelled else { return }
            await self.finishLeave(shown)
        }
    }

    private func finishLeave(_ user: User) async {
        guard pendingLeaves.removeValue(forKey: user.id) != nil, connectionsPerUser[user.id] == nil else { return }
        guard await !presence.isPresentElsewhere(userID: user.id, roomID: room.id) else { return }
        postInBackground(NewMessage(roomID: room.id, author: user, kind: .leave, body: "\(user.displayName) left"))
    }

    /// Ends every connection of the user on this instance, telling them why (`/kill`, `/ban`).
    /// They leave the room at once, before their sockets finish closing.
    func remove(userID: Int64, code: UInt16, reason: String) async {
        for connection in Array(connections) where connection.user.id == userID {
            connection.remove(code: code, reason: reason)
            await disconnect(connection)
        }
    }

    /// Ends every connection here because the instance is shutting down.
    func goAway() {
        for connection in connections { connection.goAway() }
    }

    /// A user's display name changed.
    func rename(userID: Int64, to name: String) async {
        guard let user = present[userID] else { return }
        let renamed = User(id: user.id, username: user.username, displayName: name)
        present[userID] = renamed
        await presence.remove(user, roomID: room.id)
        await presence.add([renamed], roomID: room.id)
        await refreshPresence()
    }

    /// Sends every local client the current list of who is here.
    func refreshPresence() async {
        broadcast(FrameEncoder.encode(.presence(await people)))
        sendOutgoing()
    }

    /// Refreshes local clients and tells the other instances to refresh theirs, after a short
    /// delay that gathers the changes of a crowd arriving or leaving together.
    private func presenceChanged() {
        guard !presenceRefreshPending else { return }
        presenceRefreshPending = true
        Task {
            try? await Task.sleep(for: presenceDelay)
            await self.publishPresence()
        }
    }

    private func publishPresence() async {
        presenceRefreshPending = false
        await refreshPresence()
        var event = RoomEvent(origin: origin, roomID: room.id)
        event.presenceChanged = true
        await publish([event])
    }

    /// Stores a message (committed) and then broadcasts it to every connection that may see it.
    /// Messages posted while a batch is being written are stored together in the next one; a
    /// message with an effect is stored in a batch of its own, so a failing effect (a taken
    /// name, say) fails only its own command.
    /// - Returns: The stored message, with its position.
    func post(_ message: NewMessage) async throws -> ChatMessage {
        try await withCheckedThrowingContinuation { continuation in
            enqueue(message, .caller(continuation))
        }
    }

    /// Queues a line a client sent, without waiting for it to be stored: the client's next
    /// frames are read meanwhile, so a busy sender's lines share batches. Order is kept (one
    /// queue per room), and a failure reaches the sender as a `not_sent` error frame.
    func submit(_ message: NewMessage, from connection: ChatConnection) {
        enqueue(message, .sender(connection))
    }

    private func enqueue(_ message: NewMessage, _ waiter: Waiter) {
        pending.append((message, waiter))
        if !isFlushing {
            isFlushing = true
            Task { await self.flush() }
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
                metrics.messagesStored(stored.count)
                var events: [RoomEvent] = []
                for (entry, message) in zip(batch, stored) {
                    var event = RoomEvent(origin: origin, roomID: room.id)
                    event.message = RoutedMessage(message: message, authorID: entry.message.author?.id, recipientID: entry.message.recipient?.id)
                    if case .setTopic(let topic) = entry.message.effect { event.topic = topic }
                    events.append(event)
                }
                // The whole batch goes out together: one write per socket.
                accept(events)
                for (entry, message) in zip(batch, stored) {
                    if case .caller(let continuation) = entry.waiter { continuation.resume(returning: message) }
                }
                let publish = publish
                Task { await publish(events) }
            } catch {
                metrics.postgresError()
                for entry in batch {
                    switch entry.waiter {
                    case .caller(let continuation):
                        continuation.resume(throwing: error)
                    case .sender(let connection):
                        connection.send(FrameEncoder.encode(.error(code: "not_sent", message: "Message not sent; try again.")))
                    }
                }
            }
        }
        isFlushing = false
    }

    private func nextBatch() -> [(message: NewMessage, waiter: Waiter)] {
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

    /// Takes stored messages, from this instance or another, and delivers messages to local
    /// connections strictly in position order: one that arrives ahead of a gap waits until the
    /// gap is filled, by later events or from the database.
    func accept(_ events: [RoomEvent]) {
        guard let delivered else { return }
        for event in events {
            guard let routed = event.message, routed.message.position > delivered else { continue }  // already delivered
            early[routed.message.position] = event
        }
        drain()
        sendOutgoing()
        if !early.isEmpty && gapFill == nil {
            gapFill = Task {
                try? await Task.sleep(for: gapTimeout)
                await self.fillGap()
            }
        }
    }

    /// Reads what is missing from the database and delivers it. A position the database does
    /// not have between the ones it returned was deleted (`/clear`) and is skipped.
    func fillGap() async {
        gapFill = nil
        guard let start = delivered else { return }
        do {
            let missing = try await messages.routedAfter(roomID: room.id, position: start, limit: 1_000)
            for routed in missing where routed.message.position > (delivered ?? 0) && early[routed.message.position] == nil {
                var event = RoomEvent(origin: origin, roomID: room.id)
                event.message = routed
                early[routed.message.position] = event
            }
            if let lastRead = missing.last?.message.position {
                for position in early.keys.sorted() where position <= lastRead && position > (delivered ?? 0) {
                    guard let event = early.removeValue(forKey: position) else { continue }
                    delivered = position
                    deliver(event)
                }
            }
            drain()
            sendOutgoing()
        } catch {
            logger.warning("could not fill a gap in live delivery", metadata: ["room": "\(room.id)", "error": "\(error)"])
        }
        if !early.isEmpty && gapFill == nil {
            gapFill = Task {
                try? await Task.sleep(for: gapTimeout)
                await self.fillGap()
            }
        }
    }

    private func drain() {
        while let current = delivered, let next = early.removeValue(forKey: current + 1) {
            delivered = current + 1
            deliver(next)
        }
    }

    private func deliver(_ event: RoomEvent) {
        guard let routed = event.message else { return }
        let frame = FrameEncoder.encode(.message(routed.message))
        if routed.message.kind == .private {
            outgoing.append((frame, Set([routed.authorID, routed.recipientID].compactMap { $0 })))
            return
        }
        broadcast(frame)
        if let topic = event.topic {
            broadcast(FrameEncoder.encode(.topic(topic)))
        }
    }

    /// Adds a frame for every connection to what ``sendOutgoing()`` writes.
    private func broadcast(_ frame: OutgoingFrame) {
        outgoing.append((frame, nil))
    }

    /// Writes the frames gathered so far, the same encoded bytes to every connection: one hop
    /// per event loop, one flush per socket. A client too far behind is cut off; its handler
    /// then calls ``disconnect(_:)``.
    private func sendOutgoing() {
        guard !outgoing.isEmpty else { return }
        for (loop, connections) in connectionsByLoop.values {
            ChatConnection.broadcast(outgoing, to: connections, on: loop)
        }
        outgoing.removeAll(keepingCapacity: true)
    }
}
