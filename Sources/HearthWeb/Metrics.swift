import Foundation
import Synchronization

/// Hearth's own counters, exposed in Prometheus text format on `GET /metrics`.
final class Metrics: Sendable {
    /// Upper bounds, in seconds, of the fan-out latency histogram buckets.
    static let latencyBuckets: [Double] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1]

    private struct State {
        var connections = 0
        var messagesStored = 0
        var postgresErrors = 0
        var redisErrors = 0
        var latencyCounts = [Int](repeating: 0, count: Metrics.latencyBuckets.count)
        var latencySum = 0.0
        var latencyCount = 0
    }

    private let state = Mutex(State())

    /// Chat WebSockets open on this instance now.
    var openConnections: Int { state.withLock { $0.connections } }

    func connectionOpened() { state.withLock { $0.connections += 1 } }
    func connectionClosed() { state.withLock { $0.connections -= 1 } }
    func messagesStored(_ count: Int) { state.withLock { $0.messagesStored += count } }
    func postgresError() { state.withLock { $0.postgresErrors += 1 } }
    func redisError() { state.withLock { $0.redisErrors += 1 } }

    /// Records how long a room event took from the instance that stored it to this one.
    func fanOutLatency(_ seconds: Double) {
        state.withLock { state in
            for (index, bound) in Self.latencyBuckets.enumerated() where seconds <= bound {
                state.latencyCounts[index] += 1
            }
            state.latencySum += max(0, seconds)
            state.latencyCount += 1
        }
    }

    /// The exposition text; `activeRooms` is measured by the caller at scrape time.
    func render(activeRooms: Int) -> String {
        let s = state.withLock { $0 }
        var lines = [
            "# HELP hearth_websocket_connections Open chat WebSockets on this instance.",
            "# TYPE hearth_websocket_connections gauge",
            "hearth_websocket_connections \(s.connections)",
            "# HELP hearth_rooms_active Rooms with at least one open WebSocket on this instance.",
            "# TYPE hearth_rooms_active gauge",
            "hearth_rooms_active \(activeRooms)",
            "# HELP hearth_messages_stored_total Messages this instance stored in PostgreSQL.",
            "# TYPE hearth_messages_stored_total counter",
            "hearth_messages_stored_total \(s.messagesStored)",
            "# HELP hearth_postgres_errors_total Failed PostgreSQL writes of messages.",
            "# TYPE hearth_postgres_errors_total counter",
            "hearth_postgres_errors_total \(s.postgresErrors)",
            "# HELP hearth_redis_errors_total Failed Redis publishes and presence updates.",
            "# TYPE hearth_redis_errors_total counter",
            "hearth_redis_errors_total \(s.redisErrors)",
            "# HELP hearth_fanout_latency_seconds Time from storing a message on one instance to receiving it on this one.",
            "# TYPE hearth_fanout_latency_seconds histogram",
        ]
        for (bound, count) in zip(Self.latencyBuckets, s.latencyCounts) {
            lines.append("hearth_fanout_latency_seconds_bucket{le=\"\(bound)\"} \(count)")
        }
        lines += [
            "hearth_fanout_latency_seconds_bucket{le=\"+Inf\"} \(s.latencyCount)",
            "hearth_fanout_latency_seconds_sum \(s.latencySum)",
            "hearth_fanout_latency_seconds_count \(s.latencyCount)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
