import Foundation
import HearthCore
import HearthRedis
import HearthStorage
import Logging
import Synchronization

/// This instance's live rooms and per-user send limits.
final class ChatHub: Sendable {
    struct Limits: Sendable {
        /// Frames a connection may have waiting beyond its socket's write buffer before it counts
        /// as stuck and is cut off.
        var outboundQueueCapacity = 512
        /// Messages a user may send in a burst, and the sustained rate after it.
        var sendBurst = 10.0
        var sendPerSecond = 5.0
        /// How long after a user's last connection closes "X left" is written, unless they return.
        var leaveGrace = Duration.seconds(5)
    }

    let limits: Limits
    /// This instance's name in room events.
    let instanceID = UUID().uuidString
    private let messages: any MessageRepository
    private let redis: RedisClient
    private let redisPrefix: String
    private let presence: PresenceStore
    private let logger: Logger
    private let channels = Mutex<[Int64: RoomChannel]>([:])
    private let buckets = Mutex<[Int64: TokenBucket]>([:])
    private let clock = ContinuousClock()
    private let start: ContinuousClock.Instant

    let metrics: Metrics

    init(messages: any MessageRepository, redis: RedisClient, redisPrefix: String, metrics: Metrics, limits: Limits, logger: Logger) {
        self.metrics = metrics
        self.messages = messages
        self.redis = redis
        self.redisPrefix = redisPrefix
        self.presence = PresenceStore(redis: redis, prefix: redisPrefix, instanceID: instanceID, metrics: metrics, logger: logger)
        self.limits = limits
        self.logger = logger
        self.start = clock.now
    }

    /// The room's channel on this instance, created on first use.
    func channel(for room: Room) -> RoomChannel {
        channels.withLock { channels in
            if let channel = channels[room.id] { return channel }
            let channel = RoomChannel(
                room: room, messages: messages, leaveGrace: limits.leaveGrace, origin: instanceID, presence: presence, metrics: metrics,
                publish: { [self] events in await self.publish(events) }, logger: logger
            )
            channels[room.id] = channel
            return channel
        }
    }

    /// How many people are in each room right now, on every instance.
    func headcounts(roomIDs: [Int64]) async -> [Int64: Int] {
        var counts: [Int64: Int] = [:]
        for id in roomIDs {
            if let channel = channels.withLock({ $0[id] }) {
                counts[id] = await channel.people.count
            } else {
                counts[id] = (try? await presence.people(roomID: id).count) ?? 0
            }
        }
        return counts
    }

    /// Keeps this instance's presence entries alive; when it dies they expire.
    func runPresenceHeartbeat() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: PresenceStore.heartbeat)
            for (id, channel) in channels.withLock({ $0 }) {
                await presence.add(await channel.localPeople, roomID: id)
            }
        }
    }

    /// Ends the user's connections to a room on every instance.
    func remove(userID: Int64, roomID: Int64, code: UInt16, reason: String) async {
        var event = RoomEvent(origin: instanceID, roomID: roomID)
        event.removal = .init(userID: userID, code: code, reason: reason)
        await apply(event)
        await publish([event])
    }

    /// Tells every room on every instance that a user's display name changed.
    func rename(userID: Int64, to name: String, in roomID: Int64) async {
        var event = RoomEvent(origin: instanceID, roomID: roomID)
        event.rename = .init(userID: userID, name: name)
        await apply(event)
        await publish([event])
    }

    /// Closes every chat socket on this instance with 1001 (the instance is shutting down).
    func goAway() async {
        for channel in channels.withLock({ Array($0.values) }) {
            await channel.goAway()
        }
    }

    /// Rooms with at least one open WebSocket on this instance.
    func activeRoomCount() async -> Int {
        var count = 0
        for channel in channels.withLock({ Array($0.values) }) where await !channel.localPeople.isEmpty {
            count += 1
        }
        return count
    }

    /// Applies the events another instance published together (a committed batch is one
    /// publication, delivered as one batch here too).
    func receive(_ events: [RoomEvent]) async {
        let events = events.filter { $0.origin != instanceID }
        let now = Date().timeIntervalSince1970
        for event in events where event.message != nil {
            if let sentAt = event.sentAt { metrics.fanOutLatency(now - sentAt) }
        }
        // Plain messages of one room go to its channel together.
        if let first = events.first, events.allSatisfy({ $0.roomID == first.roomID && $0.isPlainMessage }) {
            await channels.withLock({ $0[first.roomID] })?.accept(events)
            return
        }
        for event in events { await apply(event) }
    }

    private func apply(_ event: RoomEvent) async {
        if let rename = event.rename {
            for channel in channels.withLock({ Array($0.values) }) {
                await channel.rename(userID: rename.userID, to: rename.name)
            }
        }
        guard let channel = channels.withLock({ $0[event.roomID] }) else { return }
        if let removal = event.removal {
            await channel.remove(userID: removal.userID, code: removal.code, reason: removal.reason)
        }
        if event.message != nil {
            await channel.accept([event])
        }
        if event.presenceChanged == true {
            await channel.refreshPresence()
        }
    }

    /// After Redis comes back: deliver from the database whatever events were lost meanwhile.
    func resync() async {
        for channel in channels.withLock({ Array($0.values) }) {
            await channel.fillGap()
        }
    }

    /// Tells the other instances, in one publication per call. When Redis is away, local
    /// delivery goes on; other instances catch up from PostgreSQL when it is back.
    private func publish(_ events: [RoomEvent]) async {
        guard let roomID = events.first?.roomID else { return }
        do {
            let sentAt = Date().timeIntervalSince1970
            let payload = try JSONEncoder().encode(events.map { event in
                var event = event
                event.sentAt = sentAt
                return event
            })
            try await redis.send("PUBLISH", RoomEvent.channel(prefix: redisPrefix, roomID: roomID), payload)
        } catch {
            metrics.redisError()
            logger.debug("could not publish room events", metadata: ["room": "\(roomID)", "error": "\(error)"])
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
