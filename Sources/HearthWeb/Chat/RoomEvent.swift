import HearthCore
import HearthStorage

/// What instances tell each other about a room over Redis pub/sub (`<prefix>:room:<id>`),
/// published as a JSON array: the messages of one committed batch travel together.
/// PostgreSQL stays the source of truth: a lost event is recovered from the database.
struct RoomEvent: Codable, Sendable, Equatable {
    struct Removal: Codable, Sendable, Equatable {
        let userID: Int64
        let code: UInt16
        let reason: String
    }

    struct Rename: Codable, Sendable, Equatable {
        let userID: Int64
        let name: String
    }

    /// The instance that sent it; an instance ignores its own events.
    let origin: String
    let roomID: Int64
    /// A newly stored message.
    var message: RoutedMessage?
    /// The room's new topic, with the line that set it.
    var topic: String?
    /// End a user's connections to the room (`/kill`, `/ban`).
    var removal: Removal?
    /// A user's display name changed.
    var rename: Rename?
    /// Who is in the room changed: instances refresh their clients' lists from Redis.
    var presenceChanged: Bool?
    /// When it was published (seconds since 1970), for the fan-out latency metric.
    var sentAt: Double?

    /// A stored message and nothing else.
    var isPlainMessage: Bool { message != nil && topic == nil && removal == nil && rename == nil && presenceChanged == nil }

    /// The pub/sub channel of a room; `prefix` keeps deployments that share a Redis apart.
    static func channel(prefix: String, roomID: Int64) -> String { "\(prefix):room:\(roomID)" }
    static func pattern(prefix: String) -> String { "\(prefix):room:*" }
}
