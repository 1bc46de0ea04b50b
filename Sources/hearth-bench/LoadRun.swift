import NIOCore
import NIOPosix

/// The load generator's state: its sockets, the send schedule and what arrived. Everything
/// here is touched only on `loop` (one thread), so it needs no locks; async code reads it
/// through ``read(_:)``.
final class LoadRun: @unchecked Sendable {
    let loop: any EventLoop
    let port: Int
    /// Offer permessage-deflate in the handshake, as browsers do.
    let offerDeflate: Bool

    // Connecting.
    private var toOpen: [LoadSocket] = []
    private var nextToOpen = 0
    private var inFlight = 0
    private var window = 0
    var readyCount = 0
    var failedCount = 0
    var firstFailure: String?
    var lastReadyAt: UInt64 = 0

    // Sending: message `i` is due at `scheduled[i]` (uptime nanoseconds) from `senders[i]`.
    private(set) var scheduled: [UInt64] = []
    private var senders: [LoadSocket] = []
    private var nextSend = 0

    // Receiving.
    var framesReceived = 0
    var lastFrameAt: UInt64 = 0
    /// Delivery latencies of this phase in microseconds, from the scheduled send instant.
    var latencies: [UInt32] = []
    var lastDeliveryAt: UInt64 = 0
    var duplicates = 0
    var outOfOrder = 0
    var errors = 0
    var firstError: String?
    var socketsClosed = 0
    /// Compressed frames (which this client does not inflate) are counted, not read.
    var compressedFrames = 0

    init(loop: any EventLoop, port: Int, offerDeflate: Bool) {
        self.loop = loop
        self.port = port
        self.offerDeflate = offerDeflate
    }

    /// Runs `body` on the loop and returns its result.
    func read<T: Sendable>(_ body: @escaping @Sendable (LoadRun) -> T) async throws -> T {
        try await loop.submit { body(self) }.get()
    }

    // MARK: - Connecting

    /// Opens the sockets, at most `window` handshakes at a time.
    func open(_ sockets: [LoadSocket], window: Int) {
        toOpen += sockets
        self.window = window
        pump()
    }

    private func pump() {
        while inFlight < window, nextToOpen < toOpen.count {
            inFlight += 1
            toOpen[nextToOpen].open(port: port)
            nextToOpen += 1
        }
    }

    func socketReady(_ socket: LoadSocket) {
        readyCount += 1
        lastReadyAt = NIODeadline.now().uptimeNanoseconds
        inFlight -= 1
        pump()
    }

    func socketFailed(_ socket: LoadSocket, why: String) {
        failedCount += 1
        firstFailure = firstFailure ?? why
        inFlight -= 1
        pump()
    }

    // MARK: - Sending

    /// Starts a phase: forgets the last one's deliveries and sends message `i` from
    /// `plan[i].sender` at `plan[i].at`, whatever happens to earlier ones (open loop).
    func start(plan: [(at: UInt64, sender: LoadSocket)], sockets: [LoadSocket]) {
        for socket in sockets {
            socket.seen = []
            socket.uniqueReceived = 0
        }
        latencies = []
        latencies.reserveCapacity(plan.count * 8)
        duplicates = 0
        outOfOrder = 0
        errors = 0
        firstError = nil
        scheduled = plan.map(\.at)
        senders = plan.map(\.sender)
        nextSend = 0
        scheduleNextSend()
    }

    private func scheduleNextSend() {
        guard nextSend < scheduled.count else { return }
        loop.scheduleTask(deadline: .uptimeNanoseconds(scheduled[nextSend])) { self.sendDue() }
    }

    private func sendDue() {
        let now = NIODeadline.now().uptimeNanoseconds
        var touched: [LoadSocket] = []
        while nextSend < scheduled.count, scheduled[nextSend] <= now {
            let sender = senders[nextSend]
            sender.write(text: Array(#"{"type":"send","body":"bench \#(nextSend)"}"#.utf8))
            if !touched.contains(where: { $0 === sender }) { touched.append(sender) }
            nextSend += 1
        }
        for socket in touched { socket.flush() }
        scheduleNextSend()
    }

    var sendsDone: Bool { nextSend == scheduled.count }

    func delivered(index: Int) {
        let now = NIODeadline.now().uptimeNanoseconds
        latencies.append(UInt32(clamping: (now &- scheduled[index]) / 1_000))
        lastDeliveryAt = now
    }

    /// Closes every socket it opened.
    func closeAll() {
        for socket in toOpen { socket.channel?.close(promise: nil) }
    }
}
