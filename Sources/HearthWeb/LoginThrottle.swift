import HearthRedis

/// Counts failed logins in Redis, per username and per client address, over a window.
struct LoginThrottle: Sendable {
    let redis: RedisClient
    /// Keeps deployments (and test runs) that share a Redis apart.
    let prefix: String
    var window = 15 * 60
    var perUsername = 5
    var perAddress = 20

    private func keys(username: String, address: String) -> [String] {
        ["\(prefix):login-fail:user:\(username.lowercased())", "\(prefix):login-fail:addr:\(address)"]
    }

    /// Whether another attempt is allowed now.
    func allows(username: String, address: String) async throws -> Bool {
        let keys = keys(username: username, address: address)
        let counts = try await redis.send("MGET", keys[0], keys[1]).array ?? []
        let byUser = counts.first?.int ?? 0
        let byAddress = counts.dropFirst().first?.int ?? 0
        return byUser < perUsername && byAddress < perAddress
    }

    /// Records a failed attempt.
    func recordFailure(username: String, address: String) async throws {
        for key in keys(username: username, address: address) {
            if try await redis.send("INCR", key).int == 1 {
                try await redis.send("EXPIRE", key, window)
            }
        }
    }

    /// Forgets the username's failures after a successful login.
    func recordSuccess(username: String) async throws {
        try await redis.send("DEL", keys(username: username, address: "")[0])
    }
}
