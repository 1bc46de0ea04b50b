import Foundation
import HearthPostgres

/// What this machine charges for the two things every chat message needs, measured without
/// Hearth: a small write to a loopback TCP socket whose reader is waiting, and a committed
/// PostgreSQL transaction (fsync on). The targets are judged against these floors.
enum Floors {
    /// CPU microseconds (user and kernel) one thread spends per `send` of `payload` bytes to
    /// each of `sockets` loopback connections while a reader drains them, and per frame when
    /// `batch` frames share one `send`.
    static func socketWrite(sockets count: Int = 500, rounds: Int = 200, payload: Int = 220, batch: Int = 1) throws -> Double {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let listening = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, Int32(count)) == 0 && getsockname(listener, pointer, &length) == 0
            }
        }
        guard listening else { throw BenchError("cannot listen on loopback") }
        var readers: [Int32] = []
        var writers: [Int32] = []
        defer { (readers + writers).forEach { close($0) } }
        for _ in 0..<count {
            let reader = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(reader, $0, length) == 0 }
            }
            guard connected else { throw BenchError("cannot connect on loopback") }
            readers.append(reader)
            var noDelay: Int32 = 1
            let writer = accept(listener, nil, nil)
            setsockopt(writer, Int32(IPPROTO_TCP), TCP_NODELAY, &noDelay, socklen_t(MemoryLayout<Int32>.size))
            writers.append(writer)
        }
        // The reader sleeps in poll(2), as a client's event loop sleeps in epoll, and drains
        // what arrives.
        let stop = UnsafeMutablePointer<Bool>.allocate(capacity: 1)
        stop.initialize(to: false)
        defer { stop.deallocate() }
        let drained = DispatchSemaphore(value: 0)
        let stopAddress = Int(bitPattern: stop)
        let readerFDs = readers
        Thread {
            let stop = UnsafeMutablePointer<Bool>(bitPattern: stopAddress)!
            var descriptors = readerFDs.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            var sink = [UInt8](repeating: 0, count: 65_536)
            while !stop.pointee {
                guard poll(&descriptors, nfds_t(descriptors.count), 50) > 0 else { continue }
                for index in descriptors.indices where descriptors[index].revents != 0 {
                    _ = recv(descriptors[index].fd, &sink, sink.count, 0)
                }
            }
            drained.signal()
        }.start()

        let frame = [UInt8](repeating: 0x61, count: payload * batch)
        var cpu = 0.0
        for _ in 0..<rounds {
            let start = threadCPUSeconds()
            for writer in writers {
                _ = frame.withUnsafeBytes { send(writer, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            }
            cpu += threadCPUSeconds() - start
            usleep(5_000)  // let the reader go back to sleep, as between chat messages
        }
        stop.pointee = true
        drained.wait()
        return cpu / Double(rounds * count * batch) * 1e6
    }

    /// PostgreSQL CPU microseconds per committed message row: each row its own transaction,
    /// or `batch` rows per transaction. Prepared statements, in the benchmark's database.
    static func commit(server: BenchServer, rows: Int = 2_000, batch: Int = 1) async throws -> Double {
        try await server.withDatabase { db in
            try await db.query("CREATE TABLE IF NOT EXISTS floor_messages (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, room_id bigint, position bigint, body text, created_at timestamptz DEFAULT now())")
            try await db.query("CREATE UNIQUE INDEX IF NOT EXISTS floor_messages_room_position ON floor_messages (room_id, position)")
            let before = server.meter.sample()
            try await db.withConnection { connection in
                var position: Int64 = 0
                for _ in 0..<(rows / batch) {
                    var queries: [PostgresQuery] = []
                    for _ in 0..<batch {
                        position += 1
                        queries.append(.prepared("INSERT INTO floor_messages (room_id, position, body) VALUES (\(Int64(batch)), \(position), \("bench 12345")) RETURNING id, created_at"))
                    }
                    _ = try await connection.pipeline(queries)
                }
            }
            let usage = StackMeter.usage(from: before, to: server.meter.sample())
            return usage.postgres / Double(rows) * 1e6
        }
    }

    private static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
