import HearthCore
import NIOCore
import NIOWebSocket
import Synchronization

/// One open WebSocket of one user in one room, and the path frames take to it.
///
/// Frames are written straight into the socket's NIO pipeline on its event loop, below
/// hummingbird-websocket's frame encoder (they are already whole WebSocket frames): no task,
/// actor hop or copy per delivery. A room hands each event loop one closure per broadcast,
/// which writes the same bytes to every connection on that loop and flushes each once.
///
/// Until catch-up is done, live frames wait in a buffer; ``goLive(ready:lastSent:)`` writes
/// `ready` and then them, skipping positions catch-up already sent.
final class ChatConnection: @unchecked Sendable {
    /// Why the server ends a connection.
    enum Ending: Sendable, Equatable {
        /// A moderator removed the user (`/kill`, `/ban`): the close code and reason to send.
        case removed(code: UInt16, reason: String)
        /// The instance is shutting down: close with 1001.
        case goingAway
        /// The client did not keep up and its socket was cut.
        case overflowed
    }

    private enum Phase {
        case catchingUp([OutgoingFrame])
        case live(lastSent: Int64)
        case closed
    }

    let user: User
    let eventLoop: any EventLoop
    private let channel: any Channel
    /// Frames a connection may have waiting beyond the socket's write buffer before it counts
    /// as stuck.
    private let capacity: Int

    /// How many times `capacity` frames may wait while catch-up is being read: a crowd
    /// arriving at once produces a join line each before anyone's catch-up is done.
    static let catchUpAllowance = 8

    // Event-loop state.
    private let encoder: ChannelHandlerContext
    private var phase = Phase.catchingUp([])
    private var waitingWhileBlocked = 0
    private var needsFlush = false

    // Any thread.
    private let ending = Mutex<(ending: Ending?, closer: (@Sendable (Ending) -> Void)?)>((nil, nil))

    private init(user: User, channel: any Channel, encoder: ChannelHandlerContext, capacity: Int) {
        self.user = user
        self.channel = channel
        self.eventLoop = channel.eventLoop
        self.encoder = encoder
        self.capacity = capacity
    }

    /// Wraps an upgraded WebSocket channel.
    static func attach(to channel: any Channel, user: User, capacity: Int) async throws -> ChatConnection {
        try await channel.eventLoop.submit {
            let encoder = try channel.pipeline.syncOperations.context(handlerType: WebSocketFrameEncoder.self)
            return ChatConnection(user: user, channel: channel, encoder: encoder, capacity: capacity)
        }.get()
    }

    // MARK: - Sending

    /// Sends one frame to this connection (from any thread).
    func send(_ frame: OutgoingFrame) {
        eventLoop.execute {
            self.deliver(frame)
            self.flush()
        }
    }

    /// Sends `frames` to the connections in `connections` that may see them (`audience`
    /// `nil`: everyone), all of which run on `loop`: one hop, then the writes and one flush
    /// per connection.
    static func broadcast(_ frames: [(frame: OutgoingFrame, audience: Set<Int64>?)], to connections: [ChatConnection], on loop: any EventLoop) {
        loop.execute {
            for connection in connections {
                for (frame, audience) in frames where audience?.contains(connection.user.id) ?? true {
                    connection.deliver(frame)
                }
                connection.flush()
            }
        }
    }

    /// Writes (or, during catch-up, keeps) a frame; on the event loop.
    private func deliver(_ frame: OutgoingFrame) {
        switch phase {
        case .catchingUp(var waiting):
            phase = .closed  // drops the array's reference, so appending does not copy it
            waiting.append(frame)
            phase = .catchingUp(waiting)
            // The wait is the server's doing (catch-up still reading), not the client's: it
            // may hold more, but not without bound.
            if waiting.count > capacity * Self.catchUpAllowance { overflow() }
        case .live(let lastSent):
            if let position = frame.position {
                guard position > lastSent else { return }  // already sent by catch-up
                phase = .live(lastSent: position)
            }
            write(frame.bytes)
        case .closed:
            break
        }
    }

    private func write(_ bytes: ByteBuffer) {
        if channel.isWritable {
            waitingWhileBlocked = 0
        } else {
            waitingWhileBlocked += 1
            if waitingWhileBlocked > capacity {
                overflow()
                return
            }
        }
        encoder.write(NIOAny(bytes), promise: nil)
        needsFlush = true
    }

    private func flush() {
        guard needsFlush else { return }
        needsFlush = false
        encoder.flush()
    }

    /// The client is not reading: drop everything queued for it and cut the socket. It
    /// reconnects with its last position and catches up.
    private func overflow() {
        phase = .closed
        needsFlush = false
        channel.close(promise: nil)
        end(.overflowed)
    }

    // MARK: - Catch-up

    /// Writes catch-up frames, waiting until the socket has taken them.
    func catchUp(_ frames: [OutgoingFrame]) async throws {
        guard !frames.isEmpty else { return }
        try await eventLoop.flatSubmit {
            let promise = self.eventLoop.makePromise(of: Void.self)
            for (index, frame) in frames.enumerated() {
                self.encoder.write(NIOAny(frame.bytes), promise: index == frames.count - 1 ? promise : nil)
            }
            self.encoder.flush()
            return promise.futureResult
        }.get()
    }

    /// Catch-up is done: writes `ready`, then the live frames that waited, and from now on
    /// writes live frames as they come.
    func goLive(ready: OutgoingFrame, lastSent: Int64) {
        eventLoop.execute {
            guard case .catchingUp(let waiting) = self.phase else { return }
            self.phase = .live(lastSent: lastSent)
            self.write(ready.bytes)
            for frame in waiting { self.deliver(frame) }
            self.flush()
        }
    }

    // MARK: - Ending

    /// Sends the client a last `removed` frame and ends the connection with `code`.
    func remove(code: UInt16, reason: String) {
        send(FrameEncoder.encode(.removed(reason: reason)))
        end(.removed(code: code, reason: reason))
    }

    /// Ends the connection because this instance is shutting down: the client reconnects
    /// (through the proxy, to another instance) and catches up.
    func goAway() {
        end(.goingAway)
    }

    private func end(_ reason: Ending) {
        let closer: (@Sendable (Ending) -> Void)? = ending.withLock { state in
            guard state.ending == nil else { return nil }
            state.ending = reason
            return state.closer
        }
        closer?(reason)
    }

    /// Cuts the socket without a closing handshake (a client that does not answer a close).
    func closeSocket() {
        channel.close(promise: nil)
    }

    /// Why the server ended the connection, if it did.
    var endedBecause: Ending? { ending.withLock { $0.ending } }

    /// Sets what closes the socket when the server ends the connection (called at most once,
    /// from whatever thread ends it); if it has ended already, runs at once.
    func onEnd(_ closer: @escaping @Sendable (Ending) -> Void) {
        let ended: Ending? = ending.withLock { state in
            state.closer = closer
            return state.ending
        }
        if let ended { closer(ended) }
    }
}
