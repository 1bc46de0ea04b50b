import Foundation
import HearthCore
import HearthRedis

/// Sessions in Redis (`<prefix>:session:<id>`), with a time-to-live that slides on every use.
struct SessionStore: Sendable {
    let redis: RedisClient
    let prefix: String
    let ttl: Duration

    private var ttlSeconds: Int { Int(ttl.components.seconds) }

    /// Creates and stores a session, anonymous or for `user`.
    func create(for user: User?) async throws -> Session {
        let session = Session(id: Self.randomToken(), userID: user?.id, username: user?.username, csrfToken: Self.randomToken())
        try await redis.send("SET", key(session.id), try JSONEncoder().encode(session), "EX", ttlSeconds)
        return session
    }

    /// Loads a session and extends its life; `nil` when the id is unknown, expired or malformed.
    func load(id: String) async throws -> Session? {
        guard Self.isWellFormed(id) else { return nil }
        guard let bytes = try await redis.send("GETEX", key(id), "EX", ttlSeconds).bytes else { return nil }
        return try? JSONDecoder().decode(Session.self, from: Data(bytes))
    }

    /// Deletes a session: its cookie stops working at once.
    func delete(id: String) async throws {
        guard Self.isWellFormed(id) else { return }
        try await redis.send("DEL", key(id))
    }

    private func key(_ id: String) -> String { "\(prefix):session:\(id)" }

    /// 256 random bits from the system's CSPRNG, base64url without padding (43 characters).
    static func randomToken() -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        return Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    private static func isWellFormed(_ id: String) -> Bool {
        id.utf8.count == 43 && id.utf8.allSatisfy { byte in
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: "_")
        }
    }
}
