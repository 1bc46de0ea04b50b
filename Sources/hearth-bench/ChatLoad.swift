import Foundation
import NIOCore
import NIOPosix

/// Rooms full of connected clients, some of which send on an open-loop schedule.
final class ChatLoad: Sendable {
    struct Shape: Sendable {
        var rooms: Int
        var clientsPerRoom: Int
        var sendersPerRoom: Int
        var description: String { "\(rooms) room\(rooms == 1 ? "" : "s") × \(clientsPerRoom) clients, \(sendersPerRoom) sender\(sendersPerRoom == 1 ? "" : "s") per room" }
    }

    /// What one sending phase measured.
    struct Phase: Sendable {
        var messages: Int
        var expected: Int
        var delivered: Int
        var duplicates: Int
        var outOfOrder: Int
        var errors: Int
        var firstError: String?
        var socketsClosed: Int
        var compressedFrames: Int
        var latencies: Percentiles
        var seconds: Double
        /// When sending started and the last delivery arrived, in CLOCK_MONOTONIC seconds (for
        /// `perf report --time` on a recording made with `-k CLOCK_MONOTONIC`).
        var window: (start: Double, end: Double)
        var cpu: StackMeter.Usage
        var lost: Int { expected - delivered }
        var perThousand: StackMeter.Usage {
            let k = Double(max(delivered, 1)) / 1000
            return .init(hearth: cpu.hearth / k, postgres: cpu.postgres / k, redis: cpu.redis / k, bench: cpu.bench / k, hearthSystem: cpu.hearthSystem / k)
        }
        var clean: Bool { lost == 0 && duplicates == 0 && outOfOrder == 0 && errors == 0 && socketsClosed == 0 && compressedFrames == 0 }
    }

    let shape: Shape
    let server: BenchServer
    let run: LoadRun
    private let sockets: [LoadSocket]

    init(shape: Shape, server: BenchServer, run: LoadRun, sockets: [LoadSocket]) {
        self.shape = shape
        self.server = server
        self.run = run
        self.sockets = sockets
    }

    /// Registers the users, creates the rooms and connects every client.
    static func connect(_ shape: Shape, server: BenchServer, loop: any EventLoop, offerDeflate: Bool) async throws -> ChatLoad {
        let accounts = Accounts(port: server.port)
        let cookies = try await accounts.register(count: shape.rooms * shape.clientsPerRoom, prefix: "chat")
        let names = (1...shape.rooms).map { "room\($0)" }
        try await Parallel.run { try accounts.createRooms(names, cookie: cookies[0]) }
        let run = LoadRun(loop: loop, port: server.port, offerDeflate: offerDeflate)
        let sockets = (0..<shape.rooms * shape.clientsPerRoom).map { index in
            LoadSocket(run: run, room: index % shape.rooms, roomName: names[index % shape.rooms], cookie: cookies[index], after: nil)
        }
        let load = ChatLoad(shape: shape, server: server, run: run, sockets: sockets)
        try await load.open(window: 256)
        return load
    }

    /// Opens every socket; returns the seconds from the first connect to the last `ready`.
    @discardableResult
    func open(window: Int) async throws -> Double {
        let started = NIODeadline.now().uptimeNanoseconds
        let sockets = sockets
        try await run.read { $0.open(sockets, window: window) }
        let total = sockets.count
        while true {
            let (ready, failed, failure) = try await run.read { ($0.readyCount, $0.failedCount, $0.firstFailure) }
            if failed > 0 { throw BenchError("\(failed) of \(total) sockets failed to open: \(failure ?? "?")") }
            if ready == total { break }
            try await Task.sleep(for: .milliseconds(2))
        }
        let last = try await run.read { $0.lastReadyAt }
        return Double(last - started) / 1e9
    }

    /// Waits until no frame has arrived for `quiet` (joins and presence settle), at most `limit`.
    func settle(quiet: Duration = .milliseconds(500), limit: Duration = .seconds(30)) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        let quietNanos = UInt64(quiet.components.seconds) * 1_000_000_000 + UInt64(quiet.components.attoseconds / 1_000_000_000)
        while clock.now < deadline {
            let last = try await run.read { $0.lastFrameAt }
            if NIODeadline.now().uptimeNanoseconds &- last > quietNanos { return }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Sends `perSender` messages from every sender at `rate` messages a second each, spread
    /// evenly, and waits for them to arrive (at most 5 s after the last was due).
    func phase(rate: Double, perSender: Int) async throws -> Phase {
        let senders = shape.rooms * shape.sendersPerRoom
        let total = senders * perSender
        let interval = 1e9 / (rate * Double(senders))
        let start = NIODeadline.now().uptimeNanoseconds + 50_000_000
        var plan: [(at: UInt64, sender: LoadSocket)] = []
        plan.reserveCapacity(total)
        for index in 0..<total {
            let room = index % shape.rooms
            let sender = (index / shape.rooms) % shape.sendersPerRoom
            plan.append((start + UInt64(Double(index) * interval), sockets[sender * shape.rooms + room]))
        }
        let expected = total * shape.clientsPerRoom
        let lastDue = plan.last?.at ?? start
        let sockets = sockets
        let before = server.meter.sample()
        try await run.read { [plan] in $0.start(plan: plan, sockets: sockets) }
        while true {
            try await Task.sleep(for: .milliseconds(5))
            let delivered = try await run.read { run in sockets.reduce(0) { $0 + $1.uniqueReceived } }
            if delivered >= expected || NIODeadline.now().uptimeNanoseconds > lastDue + 5_000_000_000 { break }
        }
        let after = server.meter.sample()
        return try await run.read { run in
            let delivered = sockets.reduce(0) { $0 + $1.uniqueReceived }
            let end = delivered >= expected ? run.lastDeliveryAt : NIODeadline.now().uptimeNanoseconds
            return Phase(
                messages: total, expected: expected, delivered: delivered, duplicates: run.duplicates, outOfOrder: run.outOfOrder,
                errors: run.errors, firstError: run.firstError, socketsClosed: run.socketsClosed, compressedFrames: run.compressedFrames,
                latencies: Percentiles(microseconds: run.latencies), seconds: Double(end - start) / 1e9,
                window: (Double(start) / 1e9, Double(end) / 1e9),
                cpu: StackMeter.usage(from: before, to: after)
            )
        }
    }

    /// CPU the stack uses per second while the clients sit idle (pings, presence heartbeats).
    func idleUsage(for duration: Duration = .seconds(2)) async throws -> StackMeter.Usage {
        let before = server.meter.sample()
        try await Task.sleep(for: duration)
        let usage = StackMeter.usage(from: before, to: server.meter.sample())
        let seconds = Double(duration.components.seconds)
        return .init(hearth: usage.hearth / seconds, postgres: usage.postgres / seconds, redis: usage.redis / seconds, bench: usage.bench / seconds)
    }

    func close() async throws {
        try await run.read { $0.closeAll() }
    }
}

/// Latency percentiles from microsecond samples.
struct Percentiles: Sendable {
    var p50 = 0.0, p90 = 0.0, p99 = 0.0, max = 0.0

    init(microseconds samples: [UInt32]) {
        guard !samples.isEmpty else { return }
        let sorted = samples.sorted()
        func at(_ q: Double) -> Double { Double(sorted[min(sorted.count - 1, Int(q * Double(sorted.count)))]) / 1000 }
        p50 = at(0.5)
        p90 = at(0.9)
        p99 = at(0.99)
        max = Double(sorted.last!) / 1000
    }

    init(milliseconds samples: [Double]) {
        self.init(microseconds: samples.map { UInt32(clamping: Int($0 * 1000)) })
    }

    var text: String { String(format: "p50 %.2f  p90 %.2f  p99 %.2f  max %.2f ms", p50, p90, p99, max) }
}
