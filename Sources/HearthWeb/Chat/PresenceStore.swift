import Foundation
import HearthCore
import HearthRedis
import Logging

/// Who is in which room, across instances, in Redis.
///
/// Each room has a sorted set `<prefix>:presence:<room>` whose members are
/// `<instance>|<user id>|<display name>`, scored with the time they expire. Instances refresh
/// their entries every ``heartbeat``; the entries of an instance that died expire after
/// ``lifetime``, so a crash leaves no ghosts. When Redis is away, readers fall back to what this
/// instance knows.
struct PresenceStore: Sendable {
    static let lifetime: TimeInterval = 30
    static let heartbeat = Duration.seconds(10)

    let redis: RedisClient
    let prefix: String
    let instanceID: String
    let metrics: Metrics
    let logger: Logger

    private func key(_ roomID: Int64) -> String { "\(prefix):presence:\(roomID)" }
    private func member(_ user: User) -> String { "\(instanceID)|\(user.id)|\(user.displayName)" }

    /// Records (or refreshes) users as present here, in one command.
    func add(_ users: [User], roomID: Int64) async {
        guard !users.isEmpty else { return }
        let expiry = Int(Date().timeIntervalSince1970 + Self.lifetime)
        var arguments: [any RedisArgument] = [key(roomID)]
        for user in users { arguments += [expiry, member(user)] }
        do {
            try await redis.withConnection { connection in
                try await connection.send(["ZADD".redisBytes] + arguments.map(\.redisBytes))
                try await connection.send("EXPIRE", key(roomID), Int(Self.lifetime) * 2)
            }
        } catch {
            metrics.redisError()
            logger.debug("could not record presence", metadata: ["room": "\(roomID)", "error": "\(error)"])
        }
    }

    /// Forgets a user's presence here.
    func remove(_ user: User, roomID: Int64) async {
        do {
            try await redis.send("ZREM", key(roomID), member(user))
        } catch {
            metrics.redisError()
            logger.debug("could not clear presence", metadata: ["room": "\(roomID)", "error": "\(error)"])
        }
    }

    /// One live presence entry.
    private struct Entry {
        let instance: Substring
        let userID: Int64
        let name: String
    }

    /// The room's entries that have not expired.
    private func entries(roomID: Int64) async throws -> [Entry] {
        let now = Int(Date().timeIntervalSince1970)
        let members = try await redis.send("ZRANGEBYSCORE", key(roomID), now, "+inf").array ?? []
        return members.compactMap { member in
            let parts = (member.string ?? "").split(separator: "|", maxSplits: 2)
            guard parts.count == 3, let id = Int64(parts[1]) else { return nil }
            return Entry(instance: parts[0], userID: id, name: String(parts[2]))
        }
    }

    /// Everyone present, on any instance: user id → display name.
    func people(roomID: Int64) async throws -> [Int64: String] {
        Dictionary(try await entries(roomID: roomID).map { ($0.userID, $0.name) }, uniquingKeysWith: { _, last in last })
    }

    /// Whether the user is present on another instance. Redis picks the user's entries out
    /// (`ZSCAN ... MATCH`), so a crowded room is not read whole for every arrival.
    func isPresentElsewhere(userID: Int64, roomID: Int64) async -> Bool {
        let now = Int(Date().timeIntervalSince1970)
        var cursor = "0"
        repeat {
            guard let reply = try? await redis.send("ZSCAN", key(roomID), cursor, "MATCH", "*|\(userID)|*", "COUNT", 1_000).array,
                  reply.count == 2, let next = reply[0].string, let found = reply[1].array
            else { return false }
            // Pairs of member and score (the expiry).
            for pair in stride(from: 0, to: found.count - 1, by: 2) {
                let member = found[pair].string ?? ""
                let expiry = found[pair + 1].string.flatMap { Double($0) } ?? 0
                if expiry >= Double(now), !member.hasPrefix("\(instanceID)|") { return true }
            }
            cursor = next
        } while cursor != "0"
        return false
    }
}
