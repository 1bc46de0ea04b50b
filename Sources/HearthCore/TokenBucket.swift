/// A token bucket: allows bursts of up to `capacity` actions, refilled at `refillPerSecond`.
public struct TokenBucket: Sendable {
    public let capacity: Double
    public let refillPerSecond: Double
    private var tokens: Double
    private var updatedAt: Double

    /// A full bucket.
    /// - Parameter now: The current time in seconds on any monotonic clock.
    public init(capacity: Double, refillPerSecond: Double, now: Double) {
        self.capacity = capacity
        self.refillPerSecond = refillPerSecond
        self.tokens = capacity
        self.updatedAt = now
    }

    /// Takes a token if one is left.
    /// - Returns: Whether the action is allowed.
    public mutating func take(now: Double) -> Bool {
        tokens = min(capacity, tokens + max(0, now - updatedAt) * refillPerSecond)
        updatedAt = now
        guard tokens >= 1 else { return false }
        tokens -= 1
        return true
    }
}
