import Foundation
import HearthPostgres
import Logging
import NIOCore

/// The workloads of docs/BENCHMARKS.md. Each starts a Hearth of its own and prints its numbers.
struct Workloads {
    let settings: BenchServer.Settings
    let logger: Logger
    let loop: any EventLoop
    let deflate: Bool

    private func withServer<T: Sendable>(_ body: (BenchServer) async throws -> T) async throws -> T {
        let server = try await BenchServer.start(settings, logger: logger)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    private func connect(_ shape: ChatLoad.Shape, server: BenchServer) async throws -> ChatLoad {
        try await ChatLoad.connect(shape, server: server, loop: loop, offerDeflate: deflate)
    }

    // MARK: - A, B, C: steady chat

    @discardableResult
    func chat(_ name: String, _ shape: ChatLoad.Shape, rate: Double, perSender: Int) async throws -> ChatLoad.Phase {
        try await withServer { server in
            let load = try await connect(shape, server: server)
            try await load.settle()
            let idle = try await load.idleUsage()
            let phase = try await load.phase(rate: rate, perSender: perSender)
            try await load.close()
            print("\(name): \(shape.description), \(Self.number(rate)) msg/s per sender, \(phase.messages) messages")
            Self.report(phase)
            print(String(format: "   idle before sending, CPU ms per second: hearth %.1f postgres %.1f redis %.1f", idle.hearth * 1000, idle.postgres * 1000, idle.redis * 1000))
            return phase
        }
    }

    private static func report(_ phase: ChatLoad.Phase) {
        let k = phase.perThousand
        Swift.print("   delivered \(phase.delivered)/\(phase.expected)  lost \(phase.lost)  duplicated \(phase.duplicates)  out of order \(phase.outOfOrder)  errors \(phase.errors)  sockets closed \(phase.socketsClosed)\(phase.compressedFrames > 0 ? "  compressed frames \(phase.compressedFrames)" : "")")
        if let error = phase.firstError { Swift.print("   first error: \(error.prefix(200))") }
        Swift.print("   latency \(phase.latencies.text)")
        Swift.print(String(format: "   %.0f deliveries/s (%.0f messages/s) over %.2f s", Double(phase.delivered) / phase.seconds, Double(phase.messages) / phase.seconds, phase.seconds))
        Swift.print(String(
            format: "   CPU ms per 1,000 deliveries: hearth %.2f + postgres %.2f + redis %.2f = stack %.2f   (bench %.2f; bench used %.0f%% of a core)",
            k.hearth * 1000, k.postgres * 1000, k.redis * 1000, k.stack * 1000, k.bench * 1000, phase.cpu.bench / phase.seconds * 100
        ))
        Swift.print(String(
            format: "   CPU seconds: hearth %.3f (%.2f in the kernel) postgres %.3f redis %.3f bench %.3f",
            phase.cpu.hearth, phase.cpu.hearthSystem, phase.cpu.postgres, phase.cpu.redis, phase.cpu.bench
        ))
        Swift.print(String(format: "   sending window (CLOCK_MONOTONIC): %.3f,%.3f", phase.window.start, phase.window.end))
    }

    // MARK: - D: the highest rate into one room

    /// Shape A's room, with the rate raised step by step until p99 passes 100 ms or anything
    /// is lost.
    func ceiling(seconds: Double, rates: [Double] = [250, 500, 1_000, 1_500, 2_000, 3_000, 4_000, 6_000, 8_000]) async throws {
        try await withServer { server in
            let shape = ChatLoad.Shape(rooms: 1, clientsPerRoom: 50, sendersPerRoom: 5)
            let load = try await connect(shape, server: server)
            try await load.settle()
            Swift.print("D: \(shape.description), \(Self.number(seconds)) s at each rate")
            var best: Double?
            for rate in rates {
                let phase = try await load.phase(rate: rate / 5, perSender: Int(rate / 5 * seconds))
                let ok = phase.clean && phase.latencies.p99 <= 100
                Swift.print("  \(Self.number(rate)) msg/s offered: \(ok ? "ok" : "FAILS")")
                Self.report(phase)
                guard ok else { break }
                best = rate
                try await load.settle(quiet: .milliseconds(300))
            }
            try await load.close()
            Swift.print("D: highest rate with p99 ≤ 100 ms and nothing lost: \(best.map { "\(Self.number($0)) messages/s" } ?? "none")")
        }
    }

    // MARK: - E: idle connections

    @discardableResult
    func idle(connections: Int, rooms: Int) async throws -> Double {
        try await withServer { server in
            let accounts = Accounts(port: server.port)
            let cookies = try await accounts.register(count: connections, prefix: "idle")
            let names = (1...rooms).map { "idle\($0)" }
            try await Parallel.run { try accounts.createRooms(names, cookie: cookies[0]) }
            try await Task.sleep(for: .seconds(1))
            let before = server.meter.residentBytes()
            let cpuBefore = server.meter.sample()
            let run = LoadRun(loop: loop, port: server.port, offerDeflate: deflate)
            let sockets = (0..<connections).map { LoadSocket(run: run, room: $0 % rooms, roomName: names[$0 % rooms], cookie: cookies[$0], after: nil) }
            let load = ChatLoad(shape: .init(rooms: rooms, clientsPerRoom: connections / rooms, sendersPerRoom: 0), server: server, run: run, sockets: sockets)
            let openSeconds = try await load.open(window: 500)
            let cpu = StackMeter.usage(from: cpuBefore, to: server.meter.sample())
            try await load.settle(quiet: .seconds(1))
            let after = server.meter.residentBytes()
            try await load.close()
            let perConnection = Double(after - before) / Double(connections)
            Swift.print("E: \(connections) idle connections over \(rooms) rooms\(deflate ? " (permessage-deflate offered)" : "")")
            Swift.print(String(format: "   all open in %.2f s (%.0f/s)", openSeconds, Double(connections) / openSeconds))
            Swift.print(String(
                format: "   hearth resident memory %.1f MiB before, %.1f MiB after: %.2f KiB per connection",
                Double(before) / 1_048_576, Double(after) / 1_048_576, perConnection / 1024
            ))
            Swift.print(String(format: "   CPU seconds while opening: hearth %.2f postgres %.2f redis %.2f bench %.2f", cpu.hearth, cpu.postgres, cpu.redis, cpu.bench))
            return openSeconds
        }
    }

    // MARK: - F: a long history

    /// Times the room page and older pages at a small history and again at `messages`.
    @discardableResult
    func history(messages: Int, samples: Int = 100) async throws -> Int {
        try await withServer { server in
            let accounts = Accounts(port: server.port)
            let cookie = try await accounts.register(count: 1, prefix: "reader")[0]
            try await Parallel.run { try accounts.createRooms(["history"], cookie: cookie) }
            Swift.print("F: room page and older pages, \(samples) requests each, one keep-alive connection")
            var largest = 0
            var stored = 0
            for target in [min(1_000, messages), messages] where target > stored {
                try await Self.seed(server: server, room: "history", upTo: target, from: stored)
                stored = target
                largest = max(largest, try await Self.timePages(port: server.port, cookie: cookie, stored: stored, samples: samples))
            }
            return largest
        }
    }

    /// Stores messages `from+1 ... upTo` in the room directly in PostgreSQL (building a
    /// million-message history through the socket would take hours at human rates).
    static func seed(server: BenchServer, room: String, upTo last: Int, from first: Int) async throws {
        try await server.withDatabase { db in
            guard let row = try await db.query("SELECT id, owner_id FROM rooms WHERE name = \(room)").first else {
                throw BenchError("no room \(room)")
            }
            let roomID: Int64 = try row.decode("id")
            let owner: Int64 = try row.decode("owner_id")
            var start = first
            while start < last {
                let end = min(last, start + 100_000)
                try await db.query("""
                    INSERT INTO messages (room_id, position, author_id, kind, body, created_at)
                    SELECT \(roomID), g, \(owner), 'text', 'history message ' || g || ': the quick brown fox jumps over the lazy dog',
                           now() - make_interval(secs => \(Int64(last)) - g)
                    FROM generate_series(\(Int64(start + 1)), \(Int64(end))) AS g
                    """)
                start = end
            }
            try await db.query("UPDATE rooms SET last_position = \(Int64(last)) WHERE id = \(roomID)")
            try await db.query("ANALYZE messages")
        }
    }

    private static func timePages(port: Int, cookie: String, stored: Int, samples: Int) async throws -> Int {
        try await Parallel.run {
            let http = try HTTPConnection(port: port)
            var largest = 0
            func time(_ path: String) throws -> Double {
                let start = DispatchTime.now().uptimeNanoseconds
                let response = try http.get(path, cookie: cookie)
                let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
                guard response.status == 200, response.text.contains("history message") else {
                    throw BenchError("GET \(path) answered \(response.status)")
                }
                largest = max(largest, response.body.count)
                return elapsed
            }
            for _ in 0..<10 { _ = try time("/rooms/history") }
            let newest = try (0..<samples).map { _ in try time("/rooms/history") }
            let older = try (0..<samples).map { _ in try time("/rooms/history?before=\(Int.random(in: 51...max(51, stored)))") }
            let json = try (0..<samples).map { _ in try time("/rooms/history/messages?before=\(Int.random(in: 51...max(51, stored)))&limit=50") }
            Swift.print("   \(stored) stored messages:")
            Swift.print("     room page      \(Percentiles(milliseconds: newest).text)")
            Swift.print("     older page     \(Percentiles(milliseconds: older).text)")
            Swift.print("     older as JSON  \(Percentiles(milliseconds: json).text)")
            Swift.print("     largest response \(largest) bytes")
            return largest
        }
    }

    // MARK: - G: a crowd arriving at once

    @discardableResult
    func joinStorm(clients: Int) async throws -> Double {
        try await withServer { server in
            let accounts = Accounts(port: server.port)
            let cookies = try await accounts.register(count: clients, prefix: "crowd")
            try await Parallel.run { try accounts.createRooms(["storm"], cookie: cookies[0]) }
            try await Self.seed(server: server, room: "storm", upTo: 100, from: 0)
            let run = LoadRun(loop: loop, port: server.port, offerDeflate: deflate)
            // Each client has the page's latest 50 and asks for what followed: a real catch-up.
            let sockets = cookies.map { LoadSocket(run: run, room: 0, roomName: "storm", cookie: $0, after: 50) }
            let load = ChatLoad(shape: .init(rooms: 1, clientsPerRoom: clients, sendersPerRoom: 0), server: server, run: run, sockets: sockets)
            let cpuBefore = server.meter.sample()
            let started = NIODeadline.now().uptimeNanoseconds
            let seconds = try await load.open(window: clients)
            try await load.settle()
            let cpu = StackMeter.usage(from: cpuBefore, to: server.meter.sample())
            let (lastFrame, frames, outOfOrder) = try await run.read { ($0.lastFrameAt, $0.framesReceived, $0.outOfOrder) }
            try await load.close()
            Swift.print("G: \(clients) clients joining one room at once (each catching up from position 50)")
            Swift.print(String(format: "   all connected and caught up (ready) in %.2f s; join lines and presence settled after %.2f s", seconds, Double(lastFrame - started) / 1e9))
            Swift.print("   frames received \(frames), out of order \(outOfOrder)")
            Swift.print(String(format: "   CPU seconds: hearth %.2f postgres %.2f redis %.2f bench %.2f", cpu.hearth, cpu.postgres, cpu.redis, cpu.bench))
            return seconds
        }
    }

    // MARK: - Floors

    /// What the machine charges without Hearth: a loopback socket write and a commit.
    func floors() async throws {
        try await withServer { server in
            let single = try await Parallel.run { try Floors.socketWrite() }
            let batched = try await Parallel.run { try Floors.socketWrite(batch: 10) }
            let commit = try await Floors.commit(server: server, batch: 1)
            let groupCommit = try await Floors.commit(server: server, batch: 10)
            Swift.print("floor: what this machine charges, without Hearth")
            Swift.print(String(format: "   a 220-byte send to one of 500 loopback sockets with a waiting reader: %.1f µs of CPU (%.1f µs per frame when 10 share a send)", single, batched))
            Swift.print(String(format: "   PostgreSQL CPU per committed row (prepared INSERT, fsync on): %.0f µs alone, %.0f µs with 10 rows per transaction", commit, groupCommit))
        }
    }

    // MARK: - Smoke

    /// Small versions of every workload, for CI: fails on any loss, duplicate, reordering,
    /// refused socket or oversize page; timings are printed, not judged.
    func smoke() async throws -> [String] {
        var failures: [String] = []
        func check(_ name: String, _ body: () async throws -> String?) async {
            do {
                if let problem = try await body() { failures.append("\(name): \(problem)") }
            } catch {
                failures.append("\(name): \(error)")
            }
        }
        await check("chat") {
            let phase = try await chat("smoke chat", .init(rooms: 2, clientsPerRoom: 5, sendersPerRoom: 2), rate: 20, perSender: 20)
            return phase.clean ? nil : "lost \(phase.lost), duplicated \(phase.duplicates), out of order \(phase.outOfOrder), errors \(phase.errors)"
        }
        await check("idle") {
            _ = try await idle(connections: 100, rooms: 10)
            return nil
        }
        await check("history") {
            let largest = try await history(messages: 5_000, samples: 10)
            return largest <= 100_000 ? nil : "a page of \(largest) bytes"
        }
        await check("join storm") {
            _ = try await joinStorm(clients: 50)
            return nil
        }
        Swift.print("hearth-bench smoke: \(4 - failures.count) passed, \(failures.count) failed")
        return failures
    }

    // MARK: - Formatting

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }

    /// Cores, memory and processor model, for the record.
    static func machine() -> String {
        let model = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?
            .split(separator: "\n").first { $0.hasPrefix("model name") }?
            .split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown processor"
        let memory = Double(ProcessInfo.processInfo.physicalMemory) / 1_073_741_824
        return String(format: "%d cores, %.0f GiB, %@", ProcessInfo.processInfo.activeProcessorCount, memory, model)
    }
}
