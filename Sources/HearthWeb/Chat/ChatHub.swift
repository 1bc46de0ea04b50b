import Foundation
import HearthCore
import HearthStorage
import Logging
import Synchronization

/// This instance's live rooms and per-user send limits.
final class ChatHub: Sendable {
    struct Limits: Sendable {
        /// Frames a connection may have waiting before it counts as stuck and is dropped.
        var outboundQueueCapacity = 512
        /// Messages a user may send in a burst, and the sustained rate after it.
        var sendBurst = 10.0
        var sendPerSecond = 5.0
        /// How long after a user's last connection closes "X left" is written, unless they return.
        var leaveGrace = Duration.seconds(5)
    }

    let limits: Limits
    private let messages: any MessageRepository
    private let logger: Logger
    private let channels = Mutex<[Int64: RoomChannel]>([:])
    private let buckets = Mutex<[Int64: TokenBucket]>([:])
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    init(messages: any MessageRepository, limits: Limits, logger: Logger) {
        self.messages = messages
        self.limits = limits
        self.logger = logger
        self.start = clock.now
    }

    /// The room's channel on this instance, created on first use.
    func channel(for room: Room) -> RoomChannel {
        channels.withLock { channels in
            if let channel = channels[room.id] { return channel }
            let channel = RoomChannel(room: room, messages: messages, leaveGrace: limits.leaveGrace, logger: logger)
            channels[room.id] = channel
            return channel
        }
    }

    /// How many people are in each room right now, by room id.
    func headcounts() async -> [Int64: Int] {
        var counts: [Int64: Int] = [:]
        for (id, channel) in channels.withLock({ $0 }) {
            counts[id] = await channel.people.count
        }
        return counts
    }

    /// Ends the user's connections to a room on this instance.
    func remove(userID: Int64, roomID: Int64, code: UInt16, reason: String) async {
        guard let channel = channels.withLock({ $0[roomID] }) else { return }
        await channel.remove(userID: userID, code: code, reason: reason)
    }

    /// Tells every room on this instance that a user's display name changed.
    func rename(userID: Int64, to name: String) async {
        for channel in channels.withLock({ Array($0.values) }) {
            await channel.rename(userID: userID, to: name)
        }
    }

    /// Takes a send token for the user; `false` means "slow down".
    func allowSend(userID: Int64) -> Bool {
        let elapsed = (clock.now - start).components
        let now = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        return buckets.withLock { buckets in
            var bucket = buckets[userID] ?? TokenBucket(capacity: limits.sendBurst, refillPerSecond: limits.sendPerSecond, now: now)
            let allowed = bucket.take(now: now)
            buckets[userID] = bucket
            return allowed
        }
    }
}
